using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// The convolutional part of a TorchVision VGG (<c>features</c>, TorchVision's indices) followed either by global
/// average pooling (<c>avgpool</c>, <c>flatten</c>: 512 features, any frame size from 32) or, when a fully connected
/// width is given, by <c>flatten</c> and <c>fc</c> = Sequential(Linear(512 x (S/32)^2, width), ReLU, Dropout), as in
/// AffWildNet (VGG-Face convolutions + a 4096-wide layer; the frame size must then be a multiple of 32).
/// Stages: <c>block1</c> ... <c>block5</c> (each ends with its max pooling) and <c>fc</c> when present.
/// Grad-CAM layer: the ReLU after the last convolution (for example <c>features.29</c> in VGG-16).
/// </summary>
public sealed class VggBackbone : SequentialBackbone
{
    /// <summary>Builds a VGG backbone.</summary>
    /// <param name="variant">vgg11, vgg11_bn, vgg16 or vgg16_bn.</param>
    /// <param name="inputSize">The frame size.</param>
    /// <param name="fullyConnectedWidth">Null for global average pooling; otherwise the width of the fully connected layer.</param>
    /// <param name="dropout">Dropout after the fully connected layer.</param>
    /// <exception cref="ArgumentException">Unknown variant, a bad size, width or dropout.</exception>
    public VggBackbone(string variant = BackboneNames.Vgg16Bn, int inputSize = 112, int? fullyConnectedWidth = null, double dropout = 0)
        : base(variant)
    {
        RequireMinimumSize(variant, inputSize, 32);
        if (fullyConnectedWidth is { } w && w <= 0)
            throw new ArgumentOutOfRangeException(nameof(fullyConnectedWidth), w, "The fully connected width must be positive (AffWildNet uses 4096).");
        if (fullyConnectedWidth is not null && inputSize % 32 != 0)
            throw new ArgumentException(
                $"VGG with a fully connected layer needs a frame size divisible by 32 (its 5 poolings), got {inputSize}; use for example {Math.Max(32, inputSize / 32 * 32)} or {(inputSize / 32 + 1) * 32}.",
                nameof(inputSize));
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        var features = MakeFeatures(variant);
        Variant = variant;
        AddStep("features", features);

        int block = 1, lastRelu = -1;
        var current = new List<string>();
        foreach (var (name, layer) in features.named_children())
        {
            current.Add($"features.{name}");
            if (layer is TorchSharp.Modules.ReLU) lastRelu = int.Parse(name, System.Globalization.CultureInfo.InvariantCulture);
            if (layer is TorchSharp.Modules.MaxPool2d)
            {
                DefineStage($"block{block++}", [.. current]);
                current.Clear();
            }
        }
        DefaultTargetLayer = $"features.{lastRelu}";

        if (fullyConnectedWidth is { } width)
        {
            int spatial = inputSize / 32;
            AddStep("flatten", nn.Flatten());
            AddStep("fc", nn.Sequential(nn.Linear(512L * spatial * spatial, width), nn.ReLU(inplace: true), nn.Dropout(dropout)));
            DefineStage("fc", "fc");
            FeatureWidth = width;
            foreach (var m in GetLayer("fc").modules())
            {
                if (m is TorchSharp.Modules.Linear linear)
                {
                    nn.init.normal_(linear.weight, 0, 0.01);
                    nn.init.zeros_(linear.bias);
                }
            }
        }
        else
        {
            AddStep("avgpool", nn.AdaptiveAvgPool2d(1));
            AddStep("flatten", nn.Flatten());
            FeatureWidth = 512;
        }
    }

    // TorchVision's configurations (torchvision/models/vgg.py, cfgs "A" and "D"): channel counts, 0 = max pooling.
    private static readonly Dictionary<string, (int[] Channels, bool BatchNorm)> Configurations = new()
    {
        [BackboneNames.Vgg11] = ([64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], false),
        [BackboneNames.Vgg11Bn] = ([64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0], true),
        [BackboneNames.Vgg16] = ([64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0], false),
        [BackboneNames.Vgg16Bn] = ([64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0], true),
    };

    /// <summary>
    /// Builds TorchVision's <c>features</c> Sequential (same modules, order, indices and initialisation as
    /// <c>torchvision.models.vgg*</c>). Built here rather than taken from <c>torchvision.models.vgg16()</c>, whose constructor
    /// also allocates and initialises the 120-million-parameter classifier this backbone discards (seconds and 500 MB per build).
    /// </summary>
    private static nn.Module<Tensor, Tensor> MakeFeatures(string variant)
    {
        if (!Configurations.TryGetValue(variant, out var config))
            throw new ArgumentException($"Unknown VGG variant '{variant}'; expected vgg11, vgg11_bn, vgg16 or vgg16_bn.", nameof(variant));
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long inChannels = 3;
        foreach (var channels in config.Channels)
        {
            if (channels == 0)
            {
                layers.Add(nn.MaxPool2d(kernel_size: 2, stride: 2));
                continue;
            }
            var conv = nn.Conv2d(inChannels, channels, kernel_size: 3, padding: 1);
            nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            nn.init.zeros_(conv.bias);
            layers.Add(conv);
            if (config.BatchNorm) layers.Add(nn.BatchNorm2d(channels));
            layers.Add(nn.ReLU(inplace: true));
            inChannels = channels;
        }
        return nn.Sequential(layers);
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
