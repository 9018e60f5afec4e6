using System.Runtime.CompilerServices;
using System.Text.Json;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// Export of face-api.js's FaceExpressionNet as imported into TorchSharp: TensorFlow's asymmetric SAME pads, the dense
/// block, and the whole pretrained per-frame model on real face crops, compared between TorchSharp and ONNX Runtime.
/// </summary>
public sealed class FaceExpressionExportTests(ITestOutputHelper output)
{
    /// <summary>Exports a module on <c>[N, C, H, W]</c> and returns ONNX Runtime's and TorchSharp's outputs on a random batch of 2.</summary>
    private static (FloatTensor Expected, FloatTensor Actual, Emotion.Onnx.Export.Protos.ModelProto Proto) Run(nn.Module<Tensor, Tensor> module, long[] sampleShape, int seed)
    {
        module.eval();
        var g = new OnnxGraphBuilder("module");
        var e = new OnnxModuleEmitter(g);
        string x = g.AddInput("x", ["n", .. sampleShape.Select(d => (OnnxDimension)d)]);
        var y = e.Emit(module, new OnnxValue(x, sampleShape), "m");
        g.AddNode("Identity", [y.Name], "y");
        g.AddOutput("y", ["n", .. y.Shape.Select(d => (OnnxDimension)d)]);
        var proto = g.Build();
        using var session = OrtHelper.Session(proto);
        using var input = randn([2, .. sampleShape], generator: new Generator((ulong)seed));
        using var expected = module.call(input);
        return (FloatTensor.From(expected), OrtHelper.Run(session, ("x", FloatTensor.From(input)))["y"], proto);
    }

    [Fact]
    public void Zero_and_constant_pads_may_differ_per_side()
    {
        using var zero = nn.ZeroPad2d((0L, 1L, 2L, 3L));
        var (expected, actual, proto) = Run(zero, [2, 5, 4], seed: 3);
        Assert.Equal([2L, 2, 10, 5], actual.Shape);
        OrtHelper.AssertClose(expected, actual, 0, "ZeroPad2d");
        Assert.Equal(["Pad", "Identity"], proto.Graph.Node.Select(n => n.OpType));

        using var constant = nn.ConstantPad2d((2L, 0L, 1L, 1L), 1.5);
        var (expected2, actual2, _) = Run(constant, [1, 3, 3], seed: 4);
        OrtHelper.AssertClose(expected2, actual2, 0, "ConstantPad2d");
        Assert.Equal(1.5f, actual2.Data[0]);
    }

    [Theory]
    [InlineData(true, 12)]
    [InlineData(false, 12)]
    [InlineData(false, 7)]
    public void A_dense_block_exports_with_its_residual_sums(bool firstLayer, int size)
    {
        var (before, after) = TfjsLayout.SamePadding(size, 3, 2);
        using var block = new FaceDenseBlock(firstLayer ? 3 : 4, 6, firstLayer, (before, after, before, after));
        var (expected, actual, proto) = Run(block, [firstLayer ? 3 : 4, size, size], seed: size);
        long outSize = (size + 1) / 2;
        Assert.Equal([2L, 6, outSize, outSize], actual.Shape);
        OrtHelper.AssertClose(expected, actual, ExportFixture.Tolerance, $"FaceDenseBlock(first {firstLayer}, {size})");
        var ops = proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(1, ops.Count(o => o == "Pad"));
        Assert.Equal(firstLayer ? 7 : 8, ops.Count(o => o == "Conv"));
        Assert.Equal(6, ops.Count(o => o == "Add"));
        Assert.Equal(4, ops.Count(o => o == "Relu"));
        // Depthwise convolutions keep one group per channel.
        Assert.Contains(proto.Graph.Node.Where(n => n.OpType == "Conv"), n => n.Attribute.Single(a => a.Name == "group").I == 6);
    }

    [Fact]
    public void The_pretrained_model_runs_the_same_in_onnx_runtime_on_real_faces()
    {
        using var model = FaceExpressionWeights.CreateModel(TestAssets.Path("face_expression_model-weights_manifest.json"));
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        var reference = Reference().GetProperty("faceExpression");
        var files = reference.GetProperty("crops").EnumerateArray().Select(c => c.GetProperty("file").GetString()!).ToArray();
        Assert.Equal(5, files.Length);
        using var scope = NewDisposeScope();
        // All crops in one call: batch 5, one frame each.
        var frames = stack(files.Select(f => model.Normalize(Pixels01(f))).ToArray()).unsqueeze(1);

        EmotionOutput expected;
        using (no_grad()) expected = model.forward(frames);
        var actual = OrtHelper.Run(session, (OnnxTensorNames.Frames, FloatTensor.From(frames)));

        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!), actual[OnnxTensorNames.Logits], ExportFixture.Tolerance, "logits");
        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!.softmax(-1)), actual[OnnxTensorNames.Probabilities], ExportFixture.Tolerance, "probabilities");
        OrtHelper.AssertClose(FloatTensor.From(expected.Features), actual[OnnxTensorNames.Features], ExportFixture.Tolerance, "features");
        Assert.Equal([5L, 1, 7], actual[OnnxTensorNames.Probabilities].Shape);
        Assert.Equal([5L, 1, 256], actual[OnnxTensorNames.Features].Shape);
        output.WriteLine($"ONNX vs TorchSharp: logits {MaxDiff(expected.Logits!, actual[OnnxTensorNames.Logits]):G3}, features {MaxDiff(expected.Features, actual[OnnxTensorNames.Features]):G3}");

        // And ONNX Runtime against face-api itself (probabilities reordered to EmotionCategories.Basic).
        var probabilities = actual[OnnxTensorNames.Probabilities].Data;
        double worst = 0;
        int i = 0;
        foreach (var crop in reference.GetProperty("crops").EnumerateArray())
        {
            var faceApi = crop.GetProperty("probabilities").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int c = 0; c < 7; c++)
                worst = Math.Max(worst, Math.Abs(faceApi[FaceExpressionWeights.FaceApiIndexOf[c]] - probabilities[i * 7 + c]));
            i++;
        }
        output.WriteLine($"ONNX Runtime vs face-api (TF.js): probabilities {worst:G3}");
        Assert.True(worst <= ExportFixture.Tolerance, $"ONNX probabilities differ from face-api by {worst:G4}.");
        expected.Dispose();
    }

    private static double MaxDiff(Tensor expected, FloatTensor actual)
    {
        var e = FloatTensor.From(expected).Data;
        return e.Select((v, k) => Math.Abs(v - (double)actual.Data[k])).Max();
    }

    private static string Folder([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "Emotion.Torch.Tests", "Fixtures", "RealFaces"));

    private static JsonElement Reference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder(), "reference.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>A committed crop as RGB pixels in [0, 1], <c>[3, H, W]</c>.</summary>
    private static Tensor Pixels01(string file)
    {
        using var image = Image.Load<Rgb24>(Path.Combine(Folder(), file));
        int h = image.Height, w = image.Width;
        var data = new float[3 * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var p = image[x, y];
                data[y * w + x] = p.R / 255f;
                data[h * w + y * w + x] = p.G / 255f;
                data[2 * h * w + y * w + x] = p.B / 255f;
            }
        return tensor(data, [3, h, w]);
    }
}
