using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A TorchVision ResNet (18, 34 or 50) without its classifier: <c>conv1, bn1, relu, maxpool, layer1..layer4</c>, then
/// global average pooling (<c>avgpool</c>) and <c>flatten</c>. Submodule names and state-dict keys are TorchVision's, so a
/// PyTorch <c>resnet18().state_dict()</c> loads directly (its <c>fc.*</c> entries are skipped).
/// Stages: <c>stem</c> (conv1, bn1), <c>layer1</c> ... <c>layer4</c>. Grad-CAM layer: <c>layer4</c>.
/// </summary>
public sealed class ResNetBackbone : SequentialBackbone
{
    /// <summary>Builds a ResNet backbone.</summary>
    /// <param name="depth">18, 34 or 50.</param>
    /// <param name="inputSize">The frame size (at least 32).</param>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported depth or a frame size below 32.</exception>
    public ResNetBackbone(int depth = 18, int inputSize = 112) : base($"resnet{depth}")
    {
        RequireMinimumSize($"resnet{depth}", inputSize, 32);
        var net = depth switch
        {
            18 => torchvision.models.resnet18(),
            34 => torchvision.models.resnet34(),
            50 => torchvision.models.resnet50(),
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "Supported ResNet depths are 18, 34 and 50."),
        };
        Depth = depth;
        foreach (var (name, child) in TorchVisionParts.Take(net, "fc")) AddStep(name, child);
        DefineStage("stem", "conv1", "bn1");
        for (int i = 1; i <= 4; i++) DefineStage($"layer{i}", $"layer{i}");
        FeatureWidth = depth >= 50 ? 2048 : 512;
    }

    /// <summary>The ResNet depth (18, 34 or 50).</summary>
    public int Depth { get; }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <inheritdoc />
    public override string DefaultTargetLayer => "layer4";

    /// <inheritdoc />
    public override IReadOnlyList<string> IgnoredWeightPrefixes => ["fc."];
}
