using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;

namespace Emotion.Onnx.Tests.Export;

public sealed class SequenceExportTests
{
    public static TheoryData<string, int> Backbones => new()
    {
        { BackboneNames.SmallCnn, 32 },
        { BackboneNames.ResNet18, 32 },
        { BackboneNames.ResNet34, 32 },
        { BackboneNames.ResNet50, 32 },
        { BackboneNames.Vgg11, 32 },
        { BackboneNames.Vgg11Bn, 32 },
        { BackboneNames.Vgg16, 32 },
        { BackboneNames.Vgg16Bn, 32 },
        { BackboneNames.MobileNetV2, 32 },
        { BackboneNames.MobileNetV3Small, 32 },
        { BackboneNames.MobileNetV3Large, 32 },
    };

    [Theory]
    [MemberData(nameof(Backbones))]
    public void Every_backbone_matches_torchsharp(string backbone, int size)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var model = ExportFixture.Build(backbone, HeadSpec.Gru(hidden: 16), EmotionTask.Combined, size, seed: 11);
        var proto = OnnxExporter.ToModel(model);
        long t1 = sw.ElapsedMilliseconds;
        using var session = OrtHelper.Session(proto);
        long t2 = sw.ElapsedMilliseconds;
        ExportFixture.AssertSameOutputs(model, session, batch: 2, time: 3, seed: 5);
        Console.WriteLine($"{backbone}: build+export {t1} ms, session {t2 - t1} ms, compare {sw.ElapsedMilliseconds - t2} ms");
    }
}
