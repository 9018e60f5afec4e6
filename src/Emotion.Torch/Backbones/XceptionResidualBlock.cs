using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A downsampling residual module of oarriaga's Xception-style emotion networks (face_classification's
/// <c>mini_XCEPTION</c> / <c>big_XCEPTION</c>), with batch normalisation folded into the convolution biases:
/// <code>
/// y = PreActivation ? relu(x) : x
/// y = sepconv2(relu(sepconv1(y)))          // depthwise 3 x 3 ('same') + pointwise 1 x 1 with bias
/// y = pool(y)                              // 3 x 3, stride 2, TensorFlow 'same' (SameMaxPool2d)
/// return y + shortcut(x)                   // 1 x 1, stride 2, with bias
/// </code>
/// Children: <c>sepconv1</c> and <c>sepconv2</c> (each a Sequential of <c>depthwise</c>, a per-channel 3 x 3 Conv2d
/// without bias, and <c>pointwise</c>, a 1 x 1 Conv2d with bias), <c>pool</c> and <c>shortcut</c>.
/// </summary>
/// <remarks>
/// The shortcut reads the block's input before the optional ReLU (as in the Keras model, where the second block's residual
/// branches off the previous sum). A 1 x 1, stride-2 <c>SAME</c> convolution never pads, and a 3 x 3, stride-1 one pads 1
/// on each side, so only the pooling needs TensorFlow's asymmetric split.
/// </remarks>
public sealed class XceptionResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential sepconv1;
    private readonly Sequential sepconv2;
    private readonly SameMaxPool2d pool;
    private readonly Conv2d shortcut;

    /// <summary>Creates a block for square maps of <paramref name="inputSize"/> pixels.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="inputSize">The side of the input maps (sets the pooling's pads).</param>
    /// <param name="preActivation">Whether the main branch starts with a ReLU.</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive channel count or size.</exception>
    public XceptionResidualBlock(long inChannels, long outChannels, long inputSize, bool preActivation) : base(nameof(XceptionResidualBlock))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        InChannels = inChannels;
        OutChannels = outChannels;
        PreActivation = preActivation;
        sepconv1 = Separable(inChannels, outChannels);
        sepconv2 = Separable(outChannels, outChannels);
        pool = new SameMaxPool2d(kernelSize: 3, stride: 2, inputSize);
        shortcut = nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: 2, padding: 0L, bias: true);
        register_module(nameof(sepconv1), sepconv1);
        register_module(nameof(sepconv2), sepconv2);
        register_module(nameof(pool), pool);
        register_module(nameof(shortcut), shortcut);
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Whether the main branch starts with a ReLU.</summary>
    public bool PreActivation { get; }

    /// <summary>The side of the output maps, <c>ceil(input / 2)</c>.</summary>
    public long OutputSize => pool.OutputSize;

    /// <summary>Runs the block: <c>[N, in, S, S]</c> to <c>[N, out, ceil(S / 2), ceil(S / 2)]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // The main branch runs first so that forward hooks see it before the shortcut (Grad-CAM's geometry tracer
        // follows the first call that continues the map).
        var y = PreActivation ? nn.functional.relu(input) : input;
        y = nn.functional.relu(sepconv1.call(y));
        y = pool.call(sepconv2.call(y));
        return (y + shortcut.call(input)).MoveToOuterDisposeScope();
    }

    /// <summary>A depthwise-separable 3 x 3 convolution: <c>depthwise</c> (groups = channels, no bias) then <c>pointwise</c> (1 x 1, bias).</summary>
    private static Sequential Separable(long inChannels, long outChannels) => nn.Sequential(
        ("depthwise", (nn.Module<Tensor, Tensor>)nn.Conv2d(inChannels, inChannels, kernel_size: 3, stride: 1, padding: 1L, groups: inChannels, bias: false)),
        ("pointwise", nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: 1, padding: 0L, bias: true)));
}
