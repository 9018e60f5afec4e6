using Emotion.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A small, fast CNN for tests and CPU demos: four blocks <c>block1..block4</c>, each Sequential(Conv2d 3x3 stride 2
/// padding 1 without bias, BatchNorm2d, ReLU), of 16, 32, 64 and 128 channels times the width multiplier, then global
/// average pooling (<c>pool</c>) and <c>flatten</c>. The frame is downsampled 16 times (64 px gives a 4 x 4 map).
/// Stages: <c>block1</c> ... <c>block4</c>. Grad-CAM layer: <c>block4</c>. Default normalisation: [-1, 1].
/// </summary>
public sealed class SmallCnnBackbone : SequentialBackbone
{
    /// <summary>Builds the small CNN.</summary>
    /// <param name="inputSize">The frame size (at least 16).</param>
    /// <param name="widthMultiplier">Scales the channel counts (base 16 channels); for example 0.5 gives 8-16-32-64.</param>
    /// <exception cref="ArgumentOutOfRangeException">A frame size below 16 or a width that leaves no channel.</exception>
    public SmallCnnBackbone(int inputSize = 64, double widthMultiplier = 1.0) : base(BackboneNames.SmallCnn)
    {
        RequireMinimumSize(BackboneNames.SmallCnn, inputSize, 16);
        int width = (int)Math.Round(16 * widthMultiplier);
        if (!(widthMultiplier > 0) || width < 1 || width > 1024)
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "The width multiplier must give between 1 and 1024 base channels (16 x multiplier).");
        long inChannels = 3;
        for (int i = 0; i < 4; i++)
        {
            long outChannels = (long)width << i;
            var block = nn.Sequential(
                nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 2, padding: 1, bias: false),
                nn.BatchNorm2d(outChannels),
                nn.ReLU(inplace: true));
            AddStep($"block{i + 1}", block);
            inChannels = outChannels;
        }
        AddStep("pool", nn.AdaptiveAvgPool2d(1));
        AddStep("flatten", nn.Flatten());
        for (int i = 1; i <= 4; i++) DefineStage($"block{i}", $"block{i}");
        FeatureWidth = (int)inChannels;
        foreach (var m in modules())
        {
            if (m is TorchSharp.Modules.Conv2d conv)
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        }
    }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <inheritdoc />
    public override string DefaultTargetLayer => "block4";

    /// <inheritdoc />
    public override Normalization DefaultNormalization => Normalization.MinusOneToOne;
}
