using Emotion.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// The grayscale Xception-style emotion network of oarriaga/face_classification (Arriaga, Valdenegro-Toro &amp; Plöger,
/// 2017) in the layout @vladmandic/human ships as its <c>emotion</c> model, which is face_classification's
/// <c>big_XCEPTION</c> (32/64-channel stem, two residual modules of 128 and 256 channels) with batch normalisation
/// folded into the convolutions. Registered as <c>mini_xception</c> (the name human and the catalogue use).
/// </summary>
/// <remarks>
/// <para>Steps (state-dict prefixes): <c>grayscale</c> (<see cref="GrayscaleInput"/>: RGB in [0, 1] to
/// <c>(0.2989 R + 0.5870 G + 0.1140 B - 0.5) * 2</c>, no tensors), <c>stem</c> (<c>conv1</c> 3 x 3 stride 2 without padding,
/// 1 to 32 channels, <c>relu1</c>, <c>conv2</c> 3 x 3 without padding, 32 to 64, <c>relu2</c>), <c>block1</c> and
/// <c>block2</c> (<see cref="XceptionResidualBlock"/>s of 128 and 256 channels, the second with a leading ReLU), with
/// <see cref="IncludesTop"/> the classifier <c>top</c> (3 x 3 'same' convolution, 256 to 7, with bias), then <c>pool</c>
/// (global average) and <c>flatten</c>.</para>
/// <para>With the top, the features are the 7 pooled class scores (logits before softmax) in FER-2013's order
/// <see cref="Fer2013Labels"/>; the pretrained import (<c>Emotion.Torch.Import.MiniXceptionWeights</c>) puts a permuting
/// 7 x 7 classifier after them. Without it, the features are the 256 pooled channels of <c>block2</c> for transfer
/// learning, and <c>top.*</c> entries of a weights file are skipped (<see cref="IgnoredWeightPrefixes"/>).</para>
/// <para>Stages: <c>stem</c>, <c>block1</c>, <c>block2</c> (and <c>top</c>). Grad-CAM layer: <c>block2</c>. Default
/// normalisation: <see cref="Normalization.ZeroToOne"/> (the network makes its own grayscale [-1, 1] input). The
/// pooling pads reproduce TensorFlow's <c>SAME</c> padding for the frame size given to the constructor (64 natively).</para>
/// </remarks>
public sealed class MiniXceptionBackbone : SequentialBackbone
{
    /// <summary>The input size of the pretrained network (64 x 64).</summary>
    public const int NativeInputSize = 64;

    /// <summary>The smallest frame the stem accepts (7 px gives 3 and 1 after the two unpadded convolutions).</summary>
    public const int MinimumInputSize = 7;

    /// <summary>The number of classes of the top (FER-2013's seven).</summary>
    public const int TopClasses = 7;

    /// <summary>
    /// The <see cref="BackboneSpec.Parameters"/> key that selects the top: <c>"true"</c> keeps the classifier convolution
    /// (features = 7 class scores), <c>"false"</c> (the default) drops it (features = 256 channels).
    /// </summary>
    public const string TopParameter = "top";

    /// <summary>FER-2013's label order, the order of the top's outputs: angry, disgust, fear, happy, sad, surprise, neutral.</summary>
    public static IReadOnlyList<EmotionCategory> Fer2013Labels { get; } =
    [
        EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear, EmotionCategory.Happiness,
        EmotionCategory.Sadness, EmotionCategory.Surprise, EmotionCategory.Neutral,
    ];

    private static readonly long[] BlockChannels = [128, 256];

    /// <summary>Builds the network for square frames of <paramref name="inputSize"/> pixels.</summary>
    /// <param name="inputSize">The frame size (64 for the pretrained network; at least <see cref="MinimumInputSize"/>).</param>
    /// <param name="includeTop">Whether to keep the 7-class classifier convolution (see <see cref="IncludesTop"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The frame is smaller than <see cref="MinimumInputSize"/>.</exception>
    public MiniXceptionBackbone(int inputSize = NativeInputSize, bool includeTop = false) : base(BackboneNames.MiniXception)
    {
        RequireMinimumSize(BackboneNames.MiniXception, inputSize, MinimumInputSize);
        InputSize = inputSize;
        IncludesTop = includeTop;
        AddStep("grayscale", new GrayscaleInput());
        AddStep("stem", nn.Sequential(
            ("conv1", (nn.Module<Tensor, Tensor>)nn.Conv2d(1, 32, kernel_size: 3, stride: 2, padding: 0L, bias: true)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(32, 64, kernel_size: 3, stride: 1, padding: 0L, bias: true)),
            ("relu2", nn.ReLU())));
        long size = (inputSize - 3) / 2 + 1 - 2, channels = 64;
        for (int i = 0; i < BlockChannels.Length; i++)
        {
            var block = new XceptionResidualBlock(channels, BlockChannels[i], size, preActivation: i > 0);
            AddStep($"block{i + 1}", block);
            channels = BlockChannels[i];
            size = block.OutputSize;
        }
        if (includeTop) AddStep("top", nn.Conv2d(channels, TopClasses, kernel_size: 3, stride: 1, padding: 1L, bias: true));
        AddStep("pool", nn.AdaptiveAvgPool2d(1));
        AddStep("flatten", nn.Flatten());
        DefineStage("stem", "stem");
        DefineStage("block1", "block1");
        DefineStage("block2", "block2");
        if (includeTop) DefineStage("top", "top");
        FeatureWidth = includeTop ? TopClasses : (int)channels;
        FinalMapSize = size;
    }

    /// <summary>Creates the backbone a spec describes: <see cref="TopParameter"/> selects the top.</summary>
    /// <param name="spec">The spec (name <c>mini_xception</c>; the only parameter read is <see cref="TopParameter"/>).</param>
    /// <param name="inputSize">The frame size.</param>
    /// <exception cref="ArgumentException">An unknown parameter or a <c>top</c> value other than true / false.</exception>
    public static MiniXceptionBackbone FromSpec(BackboneSpec spec, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool top = false;
        foreach (var (key, value) in spec.Parameters)
        {
            if (!string.Equals(key, TopParameter, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Backbone '{BackboneNames.MiniXception}' has no parameter '{key}'; its only parameter is '{TopParameter}' (true or false).", nameof(spec));
            if (!bool.TryParse(value, out top))
                throw new ArgumentException($"Backbone '{BackboneNames.MiniXception}': parameter '{TopParameter}' must be true or false, not '{value}'.", nameof(spec));
        }
        return new MiniXceptionBackbone(inputSize, top);
    }

    /// <summary>The frame size the pooling pads were computed for.</summary>
    public int InputSize { get; }

    /// <summary>Whether the 7-class classifier convolution <c>top</c> is kept (features = class scores) or dropped (features = 256 channels).</summary>
    public bool IncludesTop { get; }

    /// <summary>The side of <c>block2</c>'s output map (8 at 64 x 64).</summary>
    public long FinalMapSize { get; }

    /// <inheritdoc />
    public override int FeatureWidth { get; }

    /// <inheritdoc />
    public override string DefaultTargetLayer => "block2";

    /// <summary>Pixels in [0, 1]: the network converts RGB to its grayscale [-1, 1] input itself (<see cref="GrayscaleInput"/>).</summary>
    public override Normalization DefaultNormalization => Normalization.ZeroToOne;

    /// <summary>Without the top, a file's <c>top.</c> entries (the classifier convolution) are skipped.</summary>
    public override IReadOnlyList<string> IgnoredWeightPrefixes => IncludesTop ? [] : ["top."];
}
