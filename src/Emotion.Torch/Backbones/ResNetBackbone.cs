using Emotion.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A TorchVision ResNet (18, 34 or 50) without its classifier: <c>conv1, bn1, relu, maxpool, layer1..layer4</c>, then
/// global average pooling (<c>avgpool</c>) and <c>flatten</c>. Submodule names and state-dict keys are TorchVision's, so a
/// PyTorch <c>resnet18().state_dict()</c> loads directly (its <c>fc.*</c> entries are skipped).
/// Stages: <c>stem</c> (conv1, bn1), <c>layer1</c> ... <c>layer4</c>. Grad-CAM layer: <c>layer4</c>.
/// The <see cref="ResNetVariant.Cntk"/> variant (ML.NET's ImageNet ResNet-18, depth 18 only) has CNTK's block counts
/// [2, 2, 2, 3] (a third BasicBlock in <c>layer4</c>, <c>layer4.2</c>), adds an <c>input</c> step first
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
    /// <exception cref="ArgumentOutOfRangeException">Unsupported depth or variant (Cntk exists for depth 18 only), or a frame size below 32.</exception>
    public ResNetBackbone(int depth, int inputSize, ResNetVariant variant) : base($"resnet{depth}")
    {
        RequireMinimumSize($"resnet{depth}", inputSize, 32);
        if (!Enum.IsDefined(variant)) throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown ResNet variant.");
        if (depth is not (18 or 34 or 50)) throw new ArgumentOutOfRangeException(nameof(depth), depth, "Supported ResNet depths are 18, 34 and 50.");
        if (variant == ResNetVariant.Cntk && depth != 18)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "The Cntk ResNet variant exists for depth 18 only (ML.NET's ResNet18.onnx).");
        // CNTK's ResNet-18 (ResNet18_ImageNet1K.cntk) has [2, 2, 2, 3] BasicBlocks: ResNet-34's modules with layer1..3 cut to two.
        var net = variant == ResNetVariant.Cntk ? torchvision.models.resnet34() : depth switch
        {
            18 => torchvision.models.resnet18(),
            34 => torchvision.models.resnet34(),
            _ => torchvision.models.resnet50(),
        };
        int[]? blocks = variant == ResNetVariant.Cntk ? CntkBlocks : null;
        Depth = depth;
        Variant = variant;
        if (variant == ResNetVariant.Cntk) AddStep("input", new MeanImageInput());
        foreach (var (name, child) in TorchVisionParts.Take(net, "fc"))
        {
            bool isLayer = name.Length == 6 && name.StartsWith("layer", StringComparison.Ordinal);
            AddStep(name, blocks is not null && isLayer ? TorchVisionParts.KeepFirst(child, blocks[name[5] - '1']) : child);
        }
        DefineStage("stem", "conv1", "bn1");
        for (int i = 1; i <= 4; i++) DefineStage($"layer{i}", $"layer{i}");
        FeatureWidth = depth >= 50 ? 2048 : 512;
    }

    /// <summary>The BasicBlocks per layer of CNTK's ResNet-18 (TorchVision's has [2, 2, 2, 2]).</summary>
    public static IReadOnlyList<int> CntkBlocksPerLayer => CntkBlocks;

    private static readonly int[] CntkBlocks = [2, 2, 2, 3];

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
