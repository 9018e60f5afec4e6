using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch;

/// <summary>
/// The outcome of the one-time check of libtorch's float32 convolution input gradient that
/// <see cref="TorchNativeSettings.Apply"/> runs before the first model is built.
/// </summary>
/// <remarks>
/// libtorch 2.10 (TorchSharp 0.107) ships oneDNN 3.7.1. On CPUs with AVX2 or AVX-512 its backward-data kernels
/// (<c>jit:avx2</c>, <c>jit:avx512_core</c>) return wrong input gradients for stride-1 convolutions whose output channel
/// count is not a multiple of the vector width (8 or 16), often with NaN and varying from run to run, and its 1x1
/// stride-2 backward-data kernel dies with SIGFPE for large channel counts (ResNet-50's downsample layers). The check
/// computes the input gradient of one such convolution (batch 2, 8 to 12 channels, 10 x 10, 3 x 3) in float32 and in
/// float64 a few times; if any float32 result is off by more than <see cref="Tolerance"/> of the gradient's largest
/// value, oneDNN is switched off for the process (<c>at::globalContext().setUserEnabledMkldnn(false)</c>, PyTorch's
/// <c>torch.backends.mkldnn.enabled = False</c>) so convolutions run on ATen's own kernels, which are right and do not
/// crash. See docs/troubleshooting.md for the measurements. <c>EMOTION_CONV_SELF_CHECK=0</c> skips the check.
/// </remarks>
/// <param name="DefaultError">The largest error of the float32 input gradient with libtorch's default kernels, relative to
/// the gradient's largest magnitude (positive infinity when a value was NaN or infinite). Float32 rounding gives about 1e-7.</param>
/// <param name="Repetitions">How many times the default kernels were tried (the check stops at the first wrong result).</param>
/// <param name="OneDnnDisabled">Whether the check switched oneDNN off for this process.</param>
/// <param name="FallbackError">The same error after oneDNN was switched off; null when that was not needed or not possible.</param>
public sealed record ConvolutionSelfCheck(double DefaultError, int Repetitions, bool OneDnnDisabled, double? FallbackError)
{
    /// <summary>Relative error above which a float32 gradient counts as wrong (float32 rounding is about 1e-7 here).</summary>
    public const double Tolerance = 1e-3;

    /// <summary>How many times the default kernels are tried at most: <see cref="SingleThreadRepetitions"/> on one thread, the
    /// rest on the process's threads. A wrong result depends on memory contents: on the affected machine every one-thread try
    /// was wrong, but only about half of the two-thread tries.</summary>
    public const int MaxRepetitions = 12;

    /// <summary>How many of the <see cref="MaxRepetitions"/> tries run on one thread.</summary>
    public const int SingleThreadRepetitions = 4;

    /// <summary>Whether libtorch's default kernels computed the check's gradient correctly.</summary>
    public bool DefaultKernelsCorrect => DefaultError <= Tolerance;

    /// <summary>Whether convolution gradients are now correct: by default, or after oneDNN was switched off.</summary>
    public bool Correct => DefaultKernelsCorrect || FallbackError is <= Tolerance;

    /// <summary>One line for logs.</summary>
    public override string ToString()
    {
        string E(double v) => v.ToString("0.0E+0", CultureInfo.InvariantCulture);
        if (DefaultKernelsCorrect)
            return $"libtorch convolution gradients are correct (float32 vs float64 error {E(DefaultError)} over {Repetitions} tries); oneDNN left on.";
        if (OneDnnDisabled)
            return $"libtorch's oneDNN convolution backward is wrong on this CPU (error {E(DefaultError)}); oneDNN switched off, " +
                   $"ATen's kernels give {(FallbackError is { } f ? E(f) : "?")}.";
        return $"libtorch's oneDNN convolution backward is wrong on this CPU (error {E(DefaultError)}) and oneDNN could not be switched off " +
               "here; set ONEDNN_MAX_CPU_ISA=SSE41 before the process starts.";
    }

    /// <summary>Runs the check (libtorch must be loaded); <paramref name="disableOneDnn"/> switches oneDNN off and reports whether it could.</summary>
    internal static ConvolutionSelfCheck Run(Func<bool> disableOneDnn)
    {
        double error = 0;
        int reps = 0;
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            while (reps < MaxRepetitions && error <= Tolerance)
            {
                if (reps == SingleThreadRepetitions) torch.set_num_threads(threads);
                reps++;
                error = Math.Max(error, InputGradientError());
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        if (error <= Tolerance) return new ConvolutionSelfCheck(error, reps, false, null);
        if (!disableOneDnn()) return new ConvolutionSelfCheck(error, reps, false, null);
        double fallback = 0;
        for (int i = 0; i < MaxRepetitions && fallback <= Tolerance; i++) fallback = Math.Max(fallback, InputGradientError());
        return new ConvolutionSelfCheck(error, reps, true, fallback);
    }

    /// <summary>max |dx32 - dx64| / max |dx64| for a 3x3 stride-1 convolution with 12 output channels (positive infinity for non-finite values).</summary>
    internal static double InputGradientError()
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        const int n = 2, cin = 8, cout = 12, size = 10;
        var x = Deterministic(n * cin * size * size, 0.37, 1.3).view(n, cin, size, size);
        var w = Deterministic(cout * cin * 9, 0.91, 0.23).view(cout, cin, 3, 3);
        var g = Deterministic(n * cout * size * size, 0.53, 1.7).view(n, cout, size, size);
        Tensor InputGradient(ScalarType type)
        {
            var xt = x.to_type(type).detach().requires_grad_(true);
            var y = nn.functional.conv2d(xt, w.to_type(type), strides: [1, 1], padding: [1, 1]);
            (y * g.to_type(type)).sum().backward(); // y.backward(g)
            return xt.grad!.to_type(ScalarType.Float64);
        }
        var dx32 = InputGradient(ScalarType.Float32);
        var dx64 = InputGradient(ScalarType.Float64);
        double err = (dx32 - dx64).abs().max().ToDouble();
        double scale = dx64.abs().max().ToDouble();
        return double.IsFinite(err) ? err / scale : double.PositiveInfinity;
    }

    /// <summary>Float32 values 0.8 sin(a i) + 0.2 cos(b i) (no random generator, so the user's seed is untouched; float32, so the
    /// float64 computation starts from the same numbers).</summary>
    private static Tensor Deterministic(int count, double a, double b)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(0.8 * Math.Sin(a * i) + 0.2 * Math.Cos(b * i));
        return tensor(values);
    }
}
