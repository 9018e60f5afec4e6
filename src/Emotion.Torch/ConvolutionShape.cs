namespace Emotion.Torch;

/// <summary>
/// One 2-D convolution as a model calls it: its channels, kernel, stride, padding, dilation and groups, and the size of the
/// input map it receives. Two layers with equal shapes run the same kernels, so <see cref="ModelConvolutionCheck"/> checks each
/// shape once.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Kernel height and width.</param>
/// <param name="Stride">Stride along y and x.</param>
/// <param name="Padding">Zero padding along y and x that the convolution kernel itself applies (libtorch pads separately first
/// for non-zero padding modes and for the odd extra row or column of <c>padding="same"</c>; <see cref="Input"/> then counts that
/// padding in, as the kernel sees it).</param>
/// <param name="Dilation">Dilation along y and x.</param>
/// <param name="Groups">Groups (the input channel count for a depthwise convolution).</param>
/// <param name="Input">The height and width of the map the convolution kernel receives.</param>
/// <param name="Bias">Whether the layer adds a bias.</param>
/// <param name="InputGradient">Whether a backward pass can need the gradient with respect to the input: the input depends on a
/// parameter (false for a layer that reads the frames themselves).</param>
public sealed record ConvolutionShape(
    int InChannels,
    int OutChannels,
    (int Y, int X) Kernel,
    (int Y, int X) Stride,
    (int Y, int X) Padding,
    (int Y, int X) Dilation,
    int Groups,
    (int Height, int Width) Input,
    bool Bias,
    bool InputGradient)
{
    /// <summary>
    /// Whether libtorch 2.10's oneDNN is known to kill the process (SIGFPE) in this convolution's backward pass on AVX2 and
    /// AVX-512 CPUs: 1x1 kernels with a stride above 1, 256 or more input and 1,024 or more output channels (ResNet-50's
    /// downsample layers). Measured with tests/conv-check (<c>probe</c>, one process per shape, 1 and 2 threads, oneDNN at the
    /// default ISA and at AVX2): 256->1024, 512->1024, 512->2048, 1024->2048 (stride 2) and 512->1024 (stride 3) crash at every
    /// input size tried; 64/128/160/192->1024, 256->1008, 256->1040, 256->2048 (7 px), 256->4096, 384->768, 512->512/896/960/1000
    /// and every ResNet-18 shape do not. The rule covers every crash seen and a few shapes that did not crash; such a layer is
    /// never run on oneDNN's backward kernels by the check.
    /// </summary>
    public bool KnownOneDnnBackwardCrash =>
        Kernel == (1, 1) && (Stride.Y > 1 || Stride.X > 1) && Groups == 1 && InChannels >= 256 && OutChannels >= 1024;

    /// <summary>A compact description, such as <c>64->128 3x3 s2 p1 @56x56</c>.</summary>
    public override string ToString()
    {
        static string Pair(string prefix, (int A, int B) v) => v.A == v.B ? $"{prefix}{v.A}" : $"{prefix}{v.A}x{v.B}";
        var parts = new List<string> { FormattableString.Invariant($"{InChannels}->{OutChannels} {Kernel.Y}x{Kernel.X}") };
        if (Stride != (1, 1)) parts.Add(Pair("s", Stride));
        if (Padding != (0, 0)) parts.Add(Pair("p", Padding));
        if (Dilation != (1, 1)) parts.Add(Pair("d", Dilation));
        if (Groups != 1) parts.Add(Groups == InChannels ? "depthwise" : FormattableString.Invariant($"g{Groups}"));
        parts.Add(FormattableString.Invariant($"@{Input.Height}x{Input.Width}"));
        return string.Join(' ', parts);
    }
}
