using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// The <c>denseBlock4</c> of face-api.js's FaceFeatureExtractor: four 3 x 3 convolutions whose outputs are summed densely.
/// <c>conv0</c> downsamples by 2 (a plain convolution in the first block, depthwise-separable otherwise); <c>conv1</c> ..
/// <c>conv3</c> are depthwise-separable (<c>depthwise</c>: 3 x 3 per channel without bias, <c>pointwise</c>: 1 x 1 with
/// the bias). The forward pass is face-api's, including the order of the additions:
/// <code>
/// out1 = relu(conv0(pad(x)))
/// out2 = conv1(out1)
/// out3 = conv2(relu(out1 + out2))
/// out4 = conv3(relu(out1 + (out2 + out3)))
/// y    = relu(out1 + (out2 + (out3 + out4)))
/// </code>
/// TensorFlow's <c>SAME</c> padding of the stride-2 convolution is asymmetric (the odd pixel goes at the end), so
/// <c>pad</c> is an explicit <see cref="ZeroPad2d"/> before a padding-free <c>conv0</c>; the stride-1 convolutions pad 1 on
/// every side, as <c>SAME</c> does for 3 x 3 windows.
/// </summary>
public sealed class FaceDenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly ZeroPad2d pad;
    private readonly nn.Module<Tensor, Tensor> conv0;
    private readonly Sequential conv1;
    private readonly Sequential conv2;
    private readonly Sequential conv3;

    /// <summary>Creates a dense block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels of every convolution.</param>
    /// <param name="isFirstLayer">Whether <c>conv0</c> is a plain convolution (face-api's first block) rather than depthwise-separable.</param>
    /// <param name="padding">The zero padding before <c>conv0</c> as (left, right, top, bottom); TensorFlow's <c>SAME</c>
    /// for a 3 x 3, stride-2 window (<see cref="Import.TfjsLayout.SamePadding"/>): (0, 1, 0, 1) on even sizes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive channel count or a negative pad.</exception>
    public FaceDenseBlock(long inChannels, long outChannels, bool isFirstLayer, (long Left, long Right, long Top, long Bottom) padding)
        : base(nameof(FaceDenseBlock))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        if (padding.Left < 0 || padding.Right < 0 || padding.Top < 0 || padding.Bottom < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Pads must not be negative.");
        InChannels = inChannels;
        OutChannels = outChannels;
        IsFirstLayer = isFirstLayer;
        Padding = padding;
        pad = nn.ZeroPad2d(padding);
        conv0 = isFirstLayer
            ? nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 2, padding: 0L, bias: true)
            : Separable(inChannels, outChannels, stride: 2, padding: 0);
        conv1 = Separable(outChannels, outChannels, stride: 1, padding: 1);
        conv2 = Separable(outChannels, outChannels, stride: 1, padding: 1);
        conv3 = Separable(outChannels, outChannels, stride: 1, padding: 1);
        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Whether <c>conv0</c> is a plain convolution.</summary>
    public bool IsFirstLayer { get; }

    /// <summary>The zero padding before <c>conv0</c> (left, right, top, bottom).</summary>
    public (long Left, long Right, long Top, long Bottom) Padding { get; }

    /// <summary>Runs the block: <c>[N, in, H, W]</c> to <c>[N, out, ceil(H / 2), ceil(W / 2)]</c> for TensorFlow-sized inputs.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var out1 = nn.functional.relu(conv0.call(pad.call(input)));
        var out2 = conv1.call(out1);
        var out3 = conv2.call(nn.functional.relu(out1 + out2));
        var out4 = conv3.call(nn.functional.relu(out1 + (out2 + out3)));
        return nn.functional.relu(out1 + (out2 + (out3 + out4))).MoveToOuterDisposeScope();
    }

    /// <summary>A depthwise-separable 3 x 3 convolution: <c>depthwise</c> (groups = channels, no bias) then <c>pointwise</c> (1 x 1, bias).</summary>
    private static Sequential Separable(long inChannels, long outChannels, long stride, long padding) => nn.Sequential(
        ("depthwise", (nn.Module<Tensor, Tensor>)nn.Conv2d(inChannels, inChannels, kernel_size: 3, stride: stride, padding: padding, groups: inChannels, bias: false)),
        ("pointwise", nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: 1, padding: 0L, bias: true)));
}
