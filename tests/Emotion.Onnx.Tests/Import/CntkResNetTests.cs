using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Tests.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Import;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Import;

/// <summary>
/// ML.NET's CNTK ResNet-18 converted into the library's backbone: every tensor accounted for, and the 512 features equal
/// ONNX Runtime on the original files within 1e-4 on real face crops (docs/models/resnet18-imagenet.md).
/// </summary>
[Trait("Category", "Slow")]
public sealed class CntkResNetTests(CntkResNetFixture fixture, ITestOutputHelper output) : IClassFixture<CntkResNetFixture>
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void ConverterAccountsForEveryInitializerByGraphStructure()
    {
        var graph = OnnxGraphReader.Read(fixture.ModelPath);
        Assert.Equal("CNTK", graph.ProducerName);
        Assert.Equal(22, graph.Nodes.Count(n => n.OpType == "Conv"));
        var mapping = CntkResNetWeights.MapInitializers(graph);
        Assert.Equal(graph.Initializers.Count, mapping.Count);
        Assert.Equal(110, mapping.Count);
        Assert.Equal(mapping.Count, mapping.Select(m => m.Key).Distinct().Count());
        Assert.Equal(new KeyValuePair<string, string>("Parameter91", "conv1.weight"), mapping[0]);
        Assert.Contains(mapping, m => m.Value == "layer2.0.downsample.0.weight");
        Assert.Contains(mapping, m => m.Value == "layer4.2.conv2.weight"); // CNTK's third block in layer4

        // Strict but for CNTK's absent batch counters: 110 network tensors + the mean image, nothing unused.
        var load = fixture.Load;
        Assert.Equal(111, load.Loaded.Count);
        Assert.Empty(load.Unexpected);
        Assert.Empty(load.Mismatched);
        Assert.Equal(load.Missing, load.MissingBatchCounters);
        Assert.Equal(22, load.MissingBatchCounters.Count);
        output.WriteLine(load.Summary(3));

        // TorchVision's ResNet-18 has two blocks in layer4: a strict load names CNTK's third block.
        using var torchVision = new ResNetBackbone(18, 224);
        var e = Assert.Throws<WeightsMismatchException>(() => CntkResNetWeights.LoadInto(torchVision, fixture.ModelPath));
        Assert.Contains("layer4.2.conv1.weight", e.Unexpected);
    }

    [Fact]
    public void NetworkEqualsOnnxRuntimeOnTheSamePreprocessedFaceCrops()
    {
        double worst = 0;
        foreach (var (crop, face) in fixture.Crops.Zip(CntkResNetFixture.Faces))
        {
            // ML.NET's own preprocessing graph, then the original network, in ONNX Runtime.
            float[] preprocessed = CntkResNetFixture.Run(fixture.Preprocess, crop);
            float[] expected = CntkResNetFixture.Run(fixture.Network, preprocessed);
            // The same preprocessed tensor through the backbone's layers after its input step.
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = tensor(preprocessed, [1, 3, 224, 224]);
            foreach (var (name, layer) in fixture.Backbone.named_children())
                if (name != "input") x = ((nn.Module<Tensor, Tensor>)layer).call(x);
            double diff = MaxAbsDiff(expected, x.data<float>().ToArray());
            output.WriteLine($"{face.Image}: max |TorchSharp - ORT| = {diff:G3} (feature max {expected.Max():G4}, mean {expected.Average():G4})");
            worst = Math.Max(worst, diff);
        }
        Assert.True(worst <= Tolerance, $"max difference {worst:G4} exceeds {Tolerance}");
    }

    [Fact]
    public void BackboneWithItsInputStepEqualsTheOriginalPreprocessingAndNetwork()
    {
        double worst = 0, perChannel = 0;
        using var channelMeans = new ResNetBackbone(18, 224, ResNetVariant.Cntk);
        // The same weights with the per-channel means of the mean image instead of the image itself (the buffer's default).
        var dict = CntkResNetWeights.FromOnnx(fixture.ModelPath);
        try
        {
            StateDictLoader.Apply(channelMeans, dict, fixture.ModelPath, WeightsLoadOptions.Default with { Strict = false });
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
        channelMeans.eval();
        foreach (var (crop, face) in fixture.Crops.Zip(CntkResNetFixture.Faces))
        {
            float[] expected = CntkResNetFixture.Run(fixture.Network, CntkResNetFixture.Run(fixture.Preprocess, crop));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var frames01 = tensor(crop, [1, 3, 224, 224]) / 255f; // what EmotionModel feeds with Normalization.ZeroToOne
            double diff = MaxAbsDiff(expected, fixture.Backbone.call(frames01).data<float>().ToArray());
            double approx = MaxAbsDiff(expected, channelMeans.call(frames01).data<float>().ToArray());
            output.WriteLine($"{face.Image}: mean image {diff:G3}; per-channel means {approx:G3} (feature max {expected.Max():G4})");
            worst = Math.Max(worst, diff);
            perChannel = Math.Max(perChannel, approx);
        }
        Assert.True(worst <= Tolerance, $"max difference {worst:G4} exceeds {Tolerance}");
        Assert.True(perChannel > Tolerance, "the per-channel approximation should differ measurably (it is why the mean image is kept)");
        Assert.Equal(Normalization.ZeroToOne, fixture.Backbone.DefaultNormalization);
    }

    [Fact]
    public void ExportedPerFrameModelEqualsTorchsharp()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 2, size: 224)
            .WithBackbone(BackboneSpec.ResNet18Cntk())
            .WithRecurrentHead(HeadSpec.NoRecurrence())
            .ForTask(EmotionTask.Categorical)
            .WithSeed(3)
            .Build();
        CntkResNetWeights.LoadInto((ResNetBackbone)model.Backbone, fixture.ModelPath, fixture.PreprocessPath);
        model.eval();
        Assert.Equal(Normalization.ZeroToOne, model.Options.Normalization);
        var proto = OnnxExporter.ToModel(model);
        Assert.Contains(proto.Graph.Node, n => n.OpType == "Gather"); // the input step: RGB to BGR
        using var session = OrtHelper.Session(proto);

        using var scope = NewDisposeScope();
        var frames = cat([tensor(fixture.Crops[0], [1, 1, 3, 224, 224]), tensor(fixture.Crops[1], [1, 1, 3, 224, 224])], 1) / 255f;
        Tensor expected;
        using (no_grad()) expected = model.ExtractFrameFeatures(frames);
        var actual = OrtHelper.Run(session, (OnnxTensorNames.Frames, Emotion.Onnx.Tests.Export.FloatTensor.From(frames)))[OnnxTensorNames.Features];
        double diff = MaxAbsDiff(Emotion.Onnx.Tests.Export.FloatTensor.From(expected).Data, actual.Data);
        output.WriteLine($"exported vs TorchSharp features: max difference {diff:G3}");
        OrtHelper.AssertClose(Emotion.Onnx.Tests.Export.FloatTensor.From(expected), actual, Tolerance, "exported Cntk ResNet-18 features");
        // And the exported graph agrees with ML.NET's original network on the first face.
        float[] original = CntkResNetFixture.Run(fixture.Network, CntkResNetFixture.Run(fixture.Preprocess, fixture.Crops[0]));
        double vsOriginal = MaxAbsDiff(original, actual.Data.Take(512).ToArray());
        output.WriteLine($"exported vs ML.NET's original: max difference {vsOriginal:G3}");
        Assert.True(vsOriginal <= Tolerance, $"exported graph differs from the original by {vsOriginal:G4}");
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
