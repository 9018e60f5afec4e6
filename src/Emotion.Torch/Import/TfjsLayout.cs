using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Converts TensorFlow weight layouts to PyTorch's, and TensorFlow's <c>SAME</c> padding to explicit pads.
/// Every conversion returns a new contiguous CPU tensor; the input is left unchanged.
/// </summary>
public static class TfjsLayout
{
    /// <summary>A convolution kernel <c>[kh, kw, in, out]</c> (HWIO) as PyTorch's <c>[out, in, kh, kw]</c> (OIHW).</summary>
    /// <param name="kernel">The TensorFlow kernel.</param>
    /// <param name="name">The tensor's name, for error messages.</param>
    /// <exception cref="ArgumentException">The kernel is not 4-D.</exception>
    public static Tensor ConvHwioToOihw(Tensor kernel, string name = "kernel")
    {
        RequireRank(kernel, 4, name, "a convolution kernel [kh, kw, in, out]");
        return kernel.permute(3, 2, 0, 1).contiguous();
    }

    /// <summary>
    /// A depthwise kernel <c>[kh, kw, C, M]</c> (channel multiplier <c>M</c>, usually 1) as the weight
    /// <c>[C * M, 1, kh, kw]</c> of a PyTorch <c>Conv2d</c> with <c>groups = C</c>: TensorFlow's output channel
    /// <c>c * M + m</c> is PyTorch's output channel of the same index.
    /// </summary>
    /// <param name="kernel">The TensorFlow depthwise kernel.</param>
    /// <param name="name">The tensor's name, for error messages.</param>
    /// <exception cref="ArgumentException">The kernel is not 4-D.</exception>
    public static Tensor DepthwiseToPyTorch(Tensor kernel, string name = "depthwise kernel")
    {
        RequireRank(kernel, 4, name, "a depthwise kernel [kh, kw, C, M]");
        long kh = kernel.shape[0], kw = kernel.shape[1], c = kernel.shape[2], m = kernel.shape[3];
        return kernel.permute(2, 3, 0, 1).reshape(c * m, 1, kh, kw).contiguous();
    }

    /// <summary>A dense (fully connected) kernel <c>[in, out]</c> as PyTorch's <c>Linear</c> weight <c>[out, in]</c>.</summary>
    /// <param name="kernel">The TensorFlow kernel.</param>
    /// <param name="name">The tensor's name, for error messages.</param>
    /// <exception cref="ArgumentException">The kernel is not 2-D.</exception>
    public static Tensor DenseToPyTorch(Tensor kernel, string name = "dense kernel")
    {
        RequireRank(kernel, 2, name, "a dense kernel [in, out]");
        return kernel.t().contiguous();
    }

    /// <summary>
    /// TensorFlow's <c>SAME</c> padding along one axis: the output has <c>ceil(size / stride)</c> elements and the total
    /// padding <c>max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)</c> is split with the odd pixel at the
    /// end. For example a 3-wide, stride-2 window on an even size pads <c>(0, 1)</c>, unlike PyTorch's symmetric padding.
    /// </summary>
    /// <param name="size">The input length along the axis.</param>
    /// <param name="kernel">The window length.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="dilation">The dilation.</param>
    /// <returns>The pixels added before and after.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive argument.</exception>
    public static (long Before, long After) SamePadding(long size, long kernel, long stride, long dilation = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        long output = (size + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
        return (total / 2, total - total / 2);
    }

    private static void RequireRank(Tensor t, int rank, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dim() != rank)
            throw new ArgumentException($"TF.js tensor '{name}' has shape [{string.Join(", ", t.shape)}]; expected {what}.", nameof(t));
    }
}
