using Emotion.Torch.Import;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// Max pooling with TensorFlow's <c>SAME</c> padding for a fixed input size: the output has <c>ceil(size / stride)</c>
/// elements per axis and the total padding <c>max((out - 1) * stride + kernel - size, 0)</c> is split with the odd pixel at
/// the end (bottom / right), where PyTorch's <c>MaxPool2d</c> pads symmetrically. Padded pixels never win (they act as
/// <c>-inf</c>, in TensorFlow and here).
/// </summary>
/// <remarks>
/// The child <c>pool</c> is a <c>MaxPool2d</c> whose (implicit <c>-inf</c>) padding is the smaller, leading pad; when the
/// split is uneven (even input sizes), a child <c>pad</c> (<c>ConstantPad2d</c> of <c>-inf</c>) first adds the extra
/// trailing row and column. Both are plain TorchSharp modules, so Grad-CAM's geometry tracer reads them. The pads are
/// computed for the input size given to the constructor; feed maps of that size.
/// </remarks>
public sealed class SameMaxPool2d : nn.Module<Tensor, Tensor>
{
    private readonly ConstantPad2d? pad;
    private readonly MaxPool2d pool;

    /// <summary>Creates the pooling for square maps of <paramref name="inputSize"/> pixels.</summary>
    /// <param name="kernelSize">The window side.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="inputSize">The side of the maps the module will receive.</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive argument.</exception>
    public SameMaxPool2d(long kernelSize, long stride, long inputSize) : base(nameof(SameMaxPool2d))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        KernelSize = kernelSize;
        Stride = stride;
        InputSize = inputSize;
        (Before, After) = TfjsLayout.SamePadding(inputSize, kernelSize, stride);
        OutputSize = (inputSize + stride - 1) / stride;
        long extra = After - Before;
        if (extra > 0)
        {
            pad = nn.ConstantPad2d((0L, extra, 0L, extra), double.NegativeInfinity);
            register_module(nameof(pad), pad);
        }
        pool = nn.MaxPool2d(kernel_size: kernelSize, stride: stride, padding: Before);
        register_module(nameof(pool), pool);
    }

    /// <summary>The window side.</summary>
    public long KernelSize { get; }

    /// <summary>The stride.</summary>
    public long Stride { get; }

    /// <summary>The input side the pads were computed for.</summary>
    public long InputSize { get; }

    /// <summary>The output side, <c>ceil(InputSize / Stride)</c>.</summary>
    public long OutputSize { get; }

    /// <summary>The padding before the map (top and left).</summary>
    public long Before { get; }

    /// <summary>The padding after the map (bottom and right): <see cref="Before"/> or one more.</summary>
    public long After { get; }

    /// <summary>Pools <c>[N, C, InputSize, InputSize]</c> to <c>[N, C, OutputSize, OutputSize]</c>.</summary>
    /// <exception cref="ArgumentException">The map is not <c>InputSize</c> x <c>InputSize</c> (its pads would differ).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[2] != InputSize || input.shape[3] != InputSize)
            throw new ArgumentException(
                $"SameMaxPool2d was built for [N, C, {InputSize}, {InputSize}] maps (TensorFlow's SAME pads depend on the size) but received [{string.Join(", ", input.shape)}]; build the backbone for this frame size.",
                nameof(input));
        if (pad is null) return pool.call(input);
        using var padded = pad.call(input);
        return pool.call(padded);
    }
}
