using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Weights;

namespace Emotion.Torch.Pretrained;

/// <summary>The catalogue's built-in entries (sources, hashes and licences as in assets/assets.tsv; a page each in docs/models/).</summary>
internal static class BuiltInPretrainedModels
{
    public static PretrainedModel FaceExpression { get; } = new()
    {
        Name = PretrainedModels.FaceExpression,
        Description = "face-api.js's FaceExpressionNet: four densely connected blocks of depthwise-separable convolutions and a 256 -> 7 classifier.",
        Source = "npm @vladmandic/face-api@1.7.15",
        License = "MIT",
        Format = WeightsFormat.TfJs,
        Files =
        [
            new("face_expression_model-weights_manifest.json", "package/model/face_expression_model-weights_manifest.json",
                "5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8"),
            new("face_expression_model.bin", "package/model/face_expression_model.bin",
                "9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d"),
        ],
        Backbone = BackboneSpec.FaceExpression(),
        HasClassifier = true,
        InputSize = FaceExpressionBackbone.FaceApiInputSize,
        Normalization = FaceExpressionBackbone.FaceApiNormalization,
        TrainingData = "a variety of images from publicly available datasets and images scraped from the web (face-api.js README; the datasets are not named)",
        PublishedAccuracy = "none published: face-api.js says only that the model 'provides reasonable accuracy'",
        DocsPage = "docs/models/face-expression.md",
        ReadStateDict = files => FaceExpressionWeights.FromTfjs(TfjsModelFile.Load(files[0])),
    };

    public static IReadOnlyList<PretrainedModel> All { get; } = [FaceExpression];
}
