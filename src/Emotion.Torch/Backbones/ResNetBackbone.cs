using Emotion.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A TorchVision ResNet (18, 34 or 50) without its classifier: <c>conv1, bn1, relu, maxpool, layer1..layer4</c>, then
/// global average pooling (<c>avgpool</c>) and <c>flatten</c>. Submodule names and state-dict keys are TorchVision's, so a
/// PyTorch <c>resnet18().state_dict()</c> loads directly (its <c>fc.*</c> entries are skipped).
/// Stages: <c>stem</c> (conv1, bn1), <c>layer1</c> ... <c>layer4</c>. Grad-CAM layer: <c>layer4</c>.
/// The <see cref="ResNetVariant.Cntk"/> variant (ML.NET's ImageNet ResNet-18) adds an <c>input</c> step first
/// (<see cref="MeanImageInput"/>: BGR, 0-255, minus a mean image) and defaults to <c>Normalization.ZeroToOne</c>.
/// </summary>
public sealed class ResNetBackbone : SequentialBackbone
{
    /// <summary>Builds a TorchVision ResNet backbone.</summary>
    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="inputSize">The frame size (at least 32).</param>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported depth or a frame size below 32.</exception>
    public ResNetBackbone(int depth = 18, int inputSize = 112) : this(depth, inputSize, ResNetVariant.TorchVision) { }

    /// <summary>Builds a ResNet backbone of a given variant.</summary>
    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="inputSize">The frame size (at least 32).</param>
    /// <param name="variant">The input convention (<see cref="ResNetVariant"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported depth or variant, or a frame size below 32.</exception>
    public ResNetBackbone(int depth, int inputSize, ResNetVariant variant) : base($"resnet{depth}")
    {
        RequireMinimumSize($"resnet{depth}", inputSize, 32);
        if (!Enum.IsDefined(variant)) throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown ResNet variant.");
        var net = depth switch
        {
            18 => torchvision.models.resnet18(),
            34 => torchvision.models.resnet34(),
            50 => torchvision.models.resnet50(),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "Supported ResNet depths are 18, 34 and 50."),
        };
        Depth = depth;
        Variant = variant;
        if (variant == ResNetVariant.Cntk) AddStep("input", new MeanImageInput());
        foreach (var (name, child) in TorchVisionParts.Take(net, "fc")) AddStep(name, child);
        DefineStage("stem", "conv1", "bn1");
        for (int i = 1; i <= 4; i++) DefineStage($"layer{i}", $"layer{i}");
        FeatureWidth = depth >= 50 ? 2048 : 512;
    }

    /// <summary>The ResNet depth (18, 34 or 50).</summary>
    public int Depth { get; }

    /// <summary>The input convention.</summary>
    public ResNetVariant Variant { get; }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <inheritdoc />
    public override string DefaultTargetLayer => "layer4";

    /// <summary>ImageNet statistics for <see cref="ResNetVariant.TorchVision"/>; [0, 1] pixels for <see cref="ResNetVariant.Cntk"/> (its input step does the rest).</summary>
    public override Normalization DefaultNormalization => Variant == ResNetVariant.Cntk ? Normalization.ZeroToOne : Normalization.ImageNet;

    /// <inheritdoc />
    public override IReadOnlyList<string> IgnoredWeightPrefixes => ["fc."];
}
