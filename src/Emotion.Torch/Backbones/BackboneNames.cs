namespace Emotion.Torch.Backbones;

/// <summary>The registry names of the built-in backbones.</summary>
public static class BackboneNames
{
    /// <summary>TorchVision ResNet-18 (512 features).</summary>
    public const string ResNet18 = "resnet18";
    /// <summary>TorchVision ResNet-34 (512 features).</summary>
    public const string ResNet34 = "resnet34";
    /// <summary>TorchVision ResNet-50 (2048 features).</summary>
    public const string ResNet50 = "resnet50";
    /// <summary>TorchVision VGG-11 without batch norm.</summary>
    public const string Vgg11 = "vgg11";
    /// <summary>TorchVision VGG-11 with batch norm.</summary>
    public const string Vgg11Bn = "vgg11_bn";
    /// <summary>TorchVision VGG-16 without batch norm (the VGG-Face layout used by AffWildNet).</summary>
    public const string Vgg16 = "vgg16";
    /// <summary>TorchVision VGG-16 with batch norm.</summary>
    public const string Vgg16Bn = "vgg16_bn";
    /// <summary>TorchVision MobileNetV2 (1280 features at width 1).</summary>
    public const string MobileNetV2 = "mobilenet_v2";
    /// <summary>TorchVision MobileNetV3-Small (576 features).</summary>
    public const string MobileNetV3Small = "mobilenet_v3_small";
    /// <summary>TorchVision MobileNetV3-Large (960 features).</summary>
    public const string MobileNetV3Large = "mobilenet_v3_large";
    /// <summary>The library's small, fast CNN for tests and CPU demos (128 features at width 1).</summary>
    public const string SmallCnn = "small_cnn";
    /// <summary>face-api.js's FaceFeatureExtractor, the trunk of its FaceExpressionNet (256 features at 112 x 112); see <see cref="FaceExpressionBackbone"/>.</summary>
    public const string FaceExpression = "face_expression";
    /// <summary>
    /// oarriaga's grayscale Xception-style FER-2013 network as @vladmandic/human ships it (face_classification's
    /// <c>big_XCEPTION</c>; 256 features, or the 7 class scores with the top); see <see cref="MiniXceptionBackbone"/>.
    /// </summary>
    public const string MiniXception = "mini_xception";
}
