using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A TorchVision MobileNetV2 or MobileNetV3 (small/large) without its classifier: <c>features</c> (TorchVision's
/// indices), global average pooling (<c>avgpool</c>) and <c>flatten</c>. Features: 1280 x max(1, width) for V2, 576
/// (small) or 960 (large) for V3. Stages: every child of <c>features</c> (<c>features.0</c> ... ). Grad-CAM layer: the
/// last child of <c>features</c>.
/// </summary>
public sealed class MobileNetBackbone : SequentialBackbone
{
    /// <summary>Builds a MobileNet backbone.</summary>
    /// <param name="variant">mobilenet_v2, mobilenet_v3_small or mobilenet_v3_large.</param>
    /// <param name="inputSize">The frame size (at least 32).</param>
    /// <param name="widthMultiplier">MobileNetV2's width multiplier (must be 1 for V3).</param>
    /// <exception cref="ArgumentException">Unknown variant, a bad size or width.</exception>
    public MobileNetBackbone(string variant = BackboneNames.MobileNetV2, int inputSize = 112, double widthMultiplier = 1.0)
        : base(variant)
    {
        RequireMinimumSize(variant, inputSize, 32);
        if (!(widthMultiplier > 0 && widthMultiplier <= 4))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "The width multiplier must be in (0, 4].");
        if (variant != BackboneNames.MobileNetV2 && widthMultiplier != 1.0)
            throw new ArgumentException($"{variant} has no width multiplier in TorchVision; use width 1 or mobilenet_v2.", nameof(widthMultiplier));
        nn.Module net = variant switch
        {
            BackboneNames.MobileNetV2 => torchvision.models.mobilenet_v2(width_mult: widthMultiplier),
            BackboneNames.MobileNetV3Small => torchvision.models.mobilenet_v3_small(),
            BackboneNames.MobileNetV3Large => torchvision.models.mobilenet_v3_large(),
            _ => throw new ArgumentException($"Unknown MobileNet variant '{variant}'; expected mobilenet_v2, mobilenet_v3_small or mobilenet_v3_large.", nameof(variant)),
        };
        Variant = variant;
        var parts = TorchVisionParts.Take(net, "avgpool", "classifier");
        var features = parts.Single(p => p.Name == "features").Module;
        AddStep("features", features);
        AddStep("avgpool", nn.AdaptiveAvgPool2d(1));
        AddStep("flatten", nn.Flatten());
        string last = "";
        foreach (var (name, _) in features.named_children())
        {
            last = $"features.{name}";
            DefineStage(last, last);
        }
        DefaultTargetLayer = last;
        FeatureWidth = checked((int)features.modules().OfType<TorchSharp.Modules.Conv2d>().Last().out_channels);
    }

    /// <summary>The TorchVision variant name.</summary>
    public string Variant { get; }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <inheritdoc />
    public override string DefaultTargetLayer { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> IgnoredWeightPrefixes => ["classifier."];
}
