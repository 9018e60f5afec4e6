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

    public static PretrainedModel ResNet18ImageNet { get; } = new()
    {
        Name = PretrainedModels.ResNet18ImageNet,
        Description = "An ImageNet ResNet-18 exported from CNTK (blocks [2, 2, 2, 3], BGR 0-255 input minus a mean image), without its classifier.",
        Source = "NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18@0.24.0",
        License = "MIT",
        Format = WeightsFormat.Onnx,
        Files =
        [
            new("ResNet18.onnx", "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx",
                "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f"),
            new("ResNetPreprocess.onnx", "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx",
                "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004"),
        ],
        Backbone = BackboneSpec.ResNet18Cntk(),
        HasClassifier = false,
        InputSize = 224,
        Normalization = Normalization.ZeroToOne, // the backbone's input step does CNTK's BGR, 0-255 and mean-image subtraction
        TrainingData = "ImageNet-1k (1.28 million images, 1,000 object classes)",
        PublishedAccuracy = "71.2 % top-1 on ImageNet (single crop) for CNTK's ResNet-18, presumably this export (CNTK's pretrained-model page); He et al. (2016) report 27.88 % top-1 error (10-crop)",
        DocsPage = "docs/models/resnet18-imagenet.md",
        LoadOptions = CntkResNetWeights.LoadOptions,
        ReadStateDict = files => Prefixed(CntkResNetWeights.FromOnnx(files[0], files[1])),
    };

    public static IReadOnlyList<PretrainedModel> All { get; } = [FaceExpression, ResNet18ImageNet];

    /// <summary>Backbone tensors keyed as in a whole <c>EmotionModel</c> (<c>backbone.*</c>).</summary>
    private static Dictionary<string, TorchSharp.torch.Tensor> Prefixed(Dictionary<string, TorchSharp.torch.Tensor> backbone) =>
        backbone.ToDictionary(kv => "backbone." + kv.Key, kv => kv.Value);
}
