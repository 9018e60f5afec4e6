namespace Emotion.Torch.Backbones;

/// <summary>Which pretrained ResNet's input convention a <see cref="ResNetBackbone"/> follows (<see cref="BackboneSpec.ResNetVariant"/>).</summary>
public enum ResNetVariant
{
    /// <summary>TorchVision's: RGB frames normalised by the model's <c>Normalization</c> (ImageNet mean and standard deviation by default).</summary>
    TorchVision,

    /// <summary>
    /// ML.NET's CNTK ResNet-18 (<c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>, see docs/models/resnet18-imagenet.md), depth
    /// 18 only: CNTK's block counts [2, 2, 2, 3] (<c>layer4</c> has a third BasicBlock, <c>layer4.2</c>), and an
    /// <c>input</c> step (<see cref="MeanImageInput"/>) turns RGB frames in [0, 1] into BGR pixels in [0, 255] minus the
    /// ImageNet mean image (the buffer <c>input.mean_image</c>, resized to the frame size); the default normalisation is
    /// <c>Normalization.ZeroToOne</c>. The layers themselves are TorchVision's (BasicBlock, padding, epsilon).
    /// </summary>
    Cntk,
}
