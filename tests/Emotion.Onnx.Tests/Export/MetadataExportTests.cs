using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Export;

public sealed class MetadataExportTests
{
    [Fact]
    public void MetadataDescribesTheModelAndRoundTripsThroughAFile()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 6, size: 20)
            .WithBackbone(BackboneSpec.SmallCnn(0.5))
            .WithRecurrentHead(HeadSpec.Lstm(hidden: 6, layers: 2))
            .ForTask(EmotionTask.Combined)
            .WithOtherCategory()
            .WithNormalization(Normalization.ImageNet)
            .WithSeed(1)
            .Build();
        using var temp = new TempFolder("emotion-onnx-meta-");
        string dir = temp.Path;
        string path = Path.Combine(dir, "model.onnx");
        OnnxExporter.Export(model, path);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("1", meta[OnnxMetadataKeys.FormatVersion]);
        Assert.Equal(model.Info, EmotionModelInfo.FromJson(meta[OnnxMetadataKeys.ModelInfo]) with { Categories = model.Info.Categories });
        Assert.Equal(string.Join(",", EmotionCategories.WithOther), string.Join(",", EmotionModelInfo.FromJson(meta[OnnxMetadataKeys.ModelInfo]).Categories));
        Assert.Equal("combined", meta[OnnxMetadataKeys.Task]);
        Assert.Equal("neutral,anger,disgust,fear,happiness,sadness,surprise,other", meta[OnnxMetadataKeys.Categories]);
        Assert.Equal("20", meta[OnnxMetadataKeys.FrameSize]);
        Assert.Equal("0.485,0.456,0.406", meta[OnnxMetadataKeys.NormalizationMean]);
        Assert.Equal("0.229,0.224,0.225", meta[OnnxMetadataKeys.NormalizationStd]);
        Assert.Equal("6", meta[OnnxMetadataKeys.SequenceLength]);
        Assert.Equal(EmotionModelInfo.CurrentLibraryVersion, meta[OnnxMetadataKeys.LibraryVersion]);
        Assert.Equal("lstm", meta[OnnxMetadataKeys.Recurrence]);
        Assert.Equal("per_frame", meta[OnnxMetadataKeys.OutputMode]);
        Assert.Equal("frames,h0,c0", meta[OnnxMetadataKeys.Inputs]);
        Assert.Equal("features,logits,probabilities,valence_arousal,hn,cn", meta[OnnxMetadataKeys.Outputs]);
        Assert.Equal(model.Options, EmotionModelOptions.FromJson(meta[OnnxMetadataKeys.Architecture]));
        Assert.Equal(meta[OnnxMetadataKeys.Inputs].Split(','), session.InputMetadata.Keys);
        Assert.Equal(meta[OnnxMetadataKeys.Outputs].Split(','), session.OutputMetadata.Keys);
        // Dynamic axes are symbolic, the frame size fixed; the state has [layers x directions, batch, hidden].
        Assert.Equal([-1, -1, 3, 20, 20], session.InputMetadata[OnnxTensorNames.Frames].Dimensions);
        Assert.Equal([2, -1, 6], session.InputMetadata[OnnxTensorNames.HiddenIn].Dimensions);
        Assert.Equal([-1, -1, 8], session.OutputMetadata[OnnxTensorNames.Logits].Dimensions);
        Assert.Equal(["batch", "time", "", "", ""], session.InputMetadata[OnnxTensorNames.Frames].SymbolicDimensions);
    }

    [Fact]
    public void SequenceToOneModelsSaySoAndHaveOneOutputRow()
    {
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, HeadSpec.Gru(hidden: 4, output: SequenceOutput.Mean), EmotionTask.ValenceArousal, 16, 2);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        Assert.Equal("sequence", session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.OutputMode]);
        Assert.Equal("", session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.Categories]);
        Assert.Equal([-1, 1, 2], session.OutputMetadata[OnnxTensorNames.ValenceArousal].Dimensions);
    }
}
