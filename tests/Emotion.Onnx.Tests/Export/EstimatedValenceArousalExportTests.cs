using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Microsoft.ML.OnnxRuntime;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Export;

public sealed class EstimatedValenceArousalExportTests
{
    [Fact]
    public void ExportedGraphEstimatesValenceArousalLikeTheModuleAndSaysSoInItsMetadata()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: 24)
            .WithBackbone(BackboneSpec.SmallCnn(0.5))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8))
            .ForTask(EmotionTask.Combined)
            .WithValenceArousalSource(ValenceArousalSource.CategoryExpectation)
            .WithSeed(11)
            .Build();
        ExportFixture.RandomizeBatchNorm(model, 11);
        model.eval();
        using var temp = new TempFolder("emotion-onnx-va-estimate-");
        string dir = temp.Path;
        string path = Path.Combine(dir, "model.onnx");
        OnnxExporter.Export(model, path);
        using var session = new InferenceSession(path);
        ExportFixture.AssertSameOutputs(model, session, batch: 2, time: 4, seed: 3);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(OnnxMetadataKeys.ValenceArousalFromCategories, meta[OnnxMetadataKeys.ValenceArousalSource]);
        Assert.Equal(ValenceArousalSource.CategoryExpectation, EmotionModelInfo.FromJson(meta[OnnxMetadataKeys.ModelInfo]).ValenceArousalSource);
        Assert.Contains(OnnxTensorNames.ValenceArousal, session.OutputMetadata.Keys);

        using var predictor = new EmotionPredictor(path);
        Assert.True(predictor.PredictsValenceArousal);
        Assert.Equal(ValenceArousalSource.CategoryExpectation, predictor.ModelInfo!.ValenceArousalSource);
    }

    [Fact]
    public void TrainedModelsSayTheirValenceArousalIsRegressed()
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, HeadSpec.NoRecurrence(), EmotionTask.Combined, size: 16, seed: 2);
        var proto = OnnxExporter.ToModel(model);
        var entry = proto.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.ValenceArousalSource);
        Assert.Equal(OnnxMetadataKeys.ValenceArousalRegressed, entry.Value);
        Assert.DoesNotContain(proto.MetadataProps, p => p.Key == OnnxMetadataKeys.Origin);
    }
}
