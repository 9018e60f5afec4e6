using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// TorchSharp and ONNX Runtime agree within 1e-4 (max abs) on random frames: every backbone (each in a different head /
/// task / reduction combination), and every head x task x reduction on the small CNN, each for several batch sizes and
/// sequence lengths through one session (dynamic axes). Batch norms carry random running statistics (folding).
/// </summary>
public sealed class SequenceExportTests
{
    private static readonly (int Batch, int Time)[] Shapes = [(2, 3), (1, 5)];

    public static TheoryData<string, string, EmotionTask, SequenceOutput> BackboneCases => new()
    {
        { BackboneNames.SmallCnn, "gru", EmotionTask.Combined, SequenceOutput.PerFrame },
        { BackboneNames.ResNet18, "lstm2", EmotionTask.Categorical, SequenceOutput.PerFrame },
        { BackboneNames.ResNet34, "none", EmotionTask.ValenceArousal, SequenceOutput.PerFrame },
        { BackboneNames.ResNet50, "gru_bi", EmotionTask.Combined, SequenceOutput.LastStep },
        { BackboneNames.Vgg11, "lstm_bi", EmotionTask.ValenceArousal, SequenceOutput.Mean },
        { BackboneNames.Vgg11Bn, "gru2", EmotionTask.Categorical, SequenceOutput.PerFrame },
        { BackboneNames.Vgg16, "none", EmotionTask.Combined, SequenceOutput.Mean },
        { BackboneNames.Vgg16Bn, "lstm", EmotionTask.Combined, SequenceOutput.PerFrame },
        { BackboneNames.MobileNetV2, "gru", EmotionTask.ValenceArousal, SequenceOutput.LastStep },
        { BackboneNames.MobileNetV3Small, "lstm", EmotionTask.Categorical, SequenceOutput.Mean },
        { BackboneNames.MobileNetV3Large, "gru2_bi", EmotionTask.Combined, SequenceOutput.PerFrame },
    };

    public static HeadSpec Head(string name, SequenceOutput output) => name switch
    {
        "gru" => HeadSpec.Gru(hidden: 12, output: output),
        "gru2" => HeadSpec.Gru(hidden: 12, layers: 2, dropout: 0.3, output: output),
        "gru_bi" => HeadSpec.Gru(hidden: 10, bidirectional: true, output: output),
        "gru2_bi" => HeadSpec.Gru(hidden: 10, layers: 2, bidirectional: true, output: output),
        "lstm" => HeadSpec.Lstm(hidden: 12, output: output),
        "lstm2" => HeadSpec.Lstm(hidden: 12, layers: 2, output: output),
        "lstm_bi" => HeadSpec.Lstm(hidden: 10, bidirectional: true, output: output),
        "lstm2_bi" => HeadSpec.Lstm(hidden: 8, layers: 2, bidirectional: true, output: output),
        "none" => HeadSpec.NoRecurrence(output),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(BackboneCases))]
    public void EveryBackboneMatchesTorchsharp(string backbone, string head, EmotionTask task, SequenceOutput output)
    {
        using var model = ExportFixture.Build(backbone, Head(head, output), task, size: 32, seed: 11);
        var proto = OnnxExporter.ToModel(model);
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType is "BatchNormalization" or "Dropout");
        using var session = OrtHelper.Session(proto);
        foreach (var (batch, time) in Shapes) ExportFixture.AssertSameOutputs(model, session, batch, time, seed: batch * 10 + time);
    }

    [Fact]
    public void VggWithAFullyConnectedLayerAndDropoutMatchesTorchsharp()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: 32)
            .WithBackbone(BackboneSpec.Vgg11Bn(fullyConnectedWidth: 24, dropout: 0.5))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8))
            .ForTask(EmotionTask.Combined)
            .WithOutputDropout(0.4)
            .WithSeed(3)
            .Build();
        ExportFixture.RandomizeBatchNorm(model, 3);
        model.eval();
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        ExportFixture.AssertSameOutputs(model, session, batch: 2, time: 2, seed: 9);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheAffwildnetPresetMatchesTorchsharp()
    {
        using var model = EmotionModel.Create().UseAffWildNetPreset().ForTask(EmotionTask.Combined).WithSeed(4).Build();
        model.eval();
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        ExportFixture.AssertSameOutputs(model, session, batch: 1, time: 2, seed: 6, randomState: true);
    }

    public static IEnumerable<object[]> SmallCnnCases()
    {
        foreach (var head in new[] { "gru", "gru2_bi", "lstm2", "lstm_bi", "none" })
            foreach (var task in Enum.GetValues<EmotionTask>())
                foreach (var output in Enum.GetValues<SequenceOutput>())
                    yield return [head, task, output];
    }

    [Theory]
    [MemberData(nameof(SmallCnnCases))]
    public void EveryHeadTaskAndReductionMatchesTorchsharp(string head, EmotionTask task, SequenceOutput output)
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, Head(head, output), task, size: 24, seed: 21);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        foreach (var (batch, time) in new[] { (1, 1), (3, 4), (2, 2) })
            ExportFixture.AssertSameOutputs(model, session, batch, time, seed: batch * 10 + time);
    }

    [Theory]
    [InlineData("gru2")]
    [InlineData("lstm2")]
    public void ANonZeroInitialStateMatchesTorchsharp(string head)
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, Head(head, SequenceOutput.PerFrame), EmotionTask.Combined, size: 24, seed: 5);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        ExportFixture.AssertSameOutputs(model, session, batch: 2, time: 3, seed: 4, randomState: true);
    }

    [Fact]
    public void BidirectionalHeadsTakeNoStateBecauseTheyCannotStream()
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, Head("lstm_bi", SequenceOutput.PerFrame), EmotionTask.Combined, size: 16, seed: 2);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        Assert.Equal([OnnxTensorNames.Frames], session.InputMetadata.Keys);
        Assert.Equal([2, -1, 10], session.OutputMetadata[OnnxTensorNames.HiddenOut].Dimensions);
        Assert.Equal([2, -1, 10], session.OutputMetadata[OnnxTensorNames.CellOut].Dimensions);
    }

    [Fact]
    public void WithoutStateInputsTheGraphTakesOnlyFrames()
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, Head("lstm2", SequenceOutput.PerFrame), EmotionTask.Categorical, size: 24, seed: 8);
        var options = new OnnxExportOptions { StateInputs = false, Probabilities = false, Features = false };
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model, options));
        Assert.Equal([OnnxTensorNames.Frames], session.InputMetadata.Keys);
        Assert.Equal([OnnxTensorNames.Logits, OnnxTensorNames.HiddenOut, OnnxTensorNames.CellOut], session.OutputMetadata.Keys);
        using var frames = ExportFixture.RandomFrames(2, 3, 24, 1);
        using var expected = model.forward(frames);
        var actual = OrtHelper.Run(session, (OnnxTensorNames.Frames, FloatTensor.From(frames)));
        OrtHelper.AssertClose(FloatTensor.From(expected.Logits!), actual[OnnxTensorNames.Logits], ExportFixture.Tolerance, "logits");
    }
}
