using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch;

/// <summary>
/// The outcome of the one-time check of libtorch's float32 convolution (forward output and input gradient) that
/// <see cref="TorchNativeSettings.Apply"/> runs before the first model is built.
/// </summary>
/// <remarks>
/// libtorch 2.10 (TorchSharp 0.107) ships oneDNN 3.7.1. On CPUs with AVX2 or AVX-512 its backward-data kernels
/// (<c>jit:avx2</c>, <c>jit:avx512_core</c>) return wrong input gradients for stride-1 convolutions whose output channel
/// count is not a multiple of the vector width (8 or 16), often with NaN and varying from run to run, and its 1x1
/// stride-2 backward-data kernel dies with SIGFPE for large channel counts (ResNet-50's downsample layers). Its float32
/// forward kernels were right on every shape measured (tests/conv-check, <c>ConvCheck forward</c>). The check computes one
/// such convolution (batch 2, 8 to 12 channels, 10 x 10, 3 x 3, and a depthwise one for the forward output) in float32 and
/// in float64 a few times, and decides:
/// <list type="bullet">
/// <item>both right: oneDNN stays on;</item>
/// <item>the gradient wrong, the forward output right: oneDNN stays on for forward passes and is switched off only inside
/// <see cref="TorchNativeSettings.SafeBackward"/> scopes, which every backward pass of the library runs in (ATen's
/// <c>convolution_backward</c> picks its kernels from the global flag when it runs, not from the forward pass), when the
/// gradient computed that way is right (<see cref="OneDnnOffForBackward"/>);</item>
/// <item>otherwise (the forward output wrong too): oneDNN is switched off for the
/// whole process (<c>at::globalContext().setUserEnabledMkldnn(false)</c>, PyTorch's <c>torch.backends.mkldnn.enabled = False</c>)
/// so convolutions run on ATen's own kernels, which are right and do not crash (<see cref="OneDnnDisabled"/>).</item>
/// </list>
/// An error above <see cref="Tolerance"/> of the largest value counts as wrong. This check decides the default for every
/// backward pass; a <see cref="Training.Trainer"/> also checks its own model's convolutions (<see cref="ModelConvolutionCheck"/>)
/// and, where they are all right, runs that model's backward passes on oneDNN. See docs/troubleshooting.md for the
/// measurements. <c>EMOTION_CONV_SELF_CHECK=0</c> skips the check.
/// </remarks>
/// <param name="DefaultError">The largest error of the float32 input gradient with libtorch's default kernels, relative to
/// the gradient's largest magnitude (positive infinity when a value was NaN or infinite). Float32 rounding gives about 1e-7.</param>
/// <param name="Repetitions">How many times the default kernels were tried.</param>
/// <param name="OneDnnDisabled">Whether the check switched oneDNN off for the whole process.</param>
/// <param name="FallbackError">The largest error (gradient and forward output) after oneDNN was switched off, for backward passes
/// (<see cref="OneDnnOffForBackward"/>) or everywhere (<see cref="OneDnnDisabled"/>); null when that was not needed or not possible.</param>
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

    /// <summary>The largest error of the forward output with libtorch's default kernels, relative to the output's largest
    /// magnitude (positive infinity for NaN or infinite values).</summary>
    public double ForwardError { get; init; }

    /// <summary>Whether the check left oneDNN on for forward passes and switched it off only inside
    /// <see cref="TorchNativeSettings.SafeBackward"/> scopes (its forward output right, its gradient wrong).</summary>
    public bool OneDnnOffForBackward { get; init; }

    /// <summary>Whether libtorch's default kernels computed the check's forward output and gradient correctly.</summary>
    public bool DefaultKernelsCorrect => DefaultError <= Tolerance && ForwardError <= Tolerance;

    /// <summary>Whether convolution gradients are now correct: by default, or after oneDNN was switched off.</summary>
    public bool Correct => DefaultKernelsCorrect || FallbackError <= Tolerance;

    /// <summary>One line for logs.</summary>
    public override string ToString()
    {
        string E(double v) => v.ToString("0.0E+0", CultureInfo.InvariantCulture);
        if (DefaultKernelsCorrect)
            return $"libtorch convolutions are correct (float32 vs float64: gradient error {E(DefaultError)}, forward error {E(ForwardError)} over {Repetitions} tries); " +
                   "oneDNN left on.";
        string fallback = FallbackError is { } f ? E(f) : "?";
        string wrong = DefaultError > Tolerance && ForwardError > Tolerance ? "forward and backward are" : DefaultError > Tolerance ? "backward is" : "forward is";
        string what = $"libtorch's oneDNN float32 convolution {wrong} wrong on this CPU (gradient error {E(DefaultError)}, forward error {E(ForwardError)})";
        if (OneDnnOffForBackward)
            return $"{what}; oneDNN stays on for forward passes and is switched off for backward passes (TorchNativeSettings.SafeBackward), " +
                   $"which then give {fallback}.";
        if (OneDnnDisabled)
            return $"{what}; oneDNN switched off, ATen's kernels give {fallback}.";
        return $"{what} and oneDNN could not be switched off here; set ONEDNN_MAX_CPU_ISA=SSE41 before the process starts.";
    }

    /// <summary>
    /// Runs the check on the kernels in use outside backward scopes (libtorch must be loaded), and switches oneDNN off for
    /// backward passes or everywhere, as the class remarks say.
    /// </summary>
    internal static ConvolutionSelfCheck Run(OneDnnSwitches switches)
    {
        double error = 0, forward = 0;
        int reps = 0;
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            // The forward output is cheap: it is checked in every try; the gradient until it is found wrong.
            while (reps < MaxRepetitions && (error <= Tolerance || forward <= Tolerance))
            {
                if (reps == SingleThreadRepetitions) torch.set_num_threads(threads);
                reps++;
                forward = Math.Max(forward, ForwardOutputError());
                if (error <= Tolerance) error = Math.Max(error, InputGradientError());
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        if (error <= Tolerance && forward <= Tolerance) return new ConvolutionSelfCheck(error, reps, false, null) { ForwardError = forward };
        if (forward <= Tolerance && switches.OffForBackward())
        {
            double toggled = 0;
            for (int i = 0; i < MaxRepetitions && toggled <= Tolerance; i++) toggled = Math.Max(toggled, InputGradientError(safeBackward: true));
            if (toggled <= Tolerance)
                return new ConvolutionSelfCheck(error, reps, false, toggled) { ForwardError = forward, OneDnnOffForBackward = true };
        }
        if (!switches.OffEverywhere()) return new ConvolutionSelfCheck(error, reps, false, null) { ForwardError = forward };
        double fallback = 0;
        for (int i = 0; i < MaxRepetitions && fallback <= Tolerance; i++)
            fallback = Math.Max(fallback, Math.Max(InputGradientError(), ForwardOutputError()));
        return new ConvolutionSelfCheck(error, reps, true, fallback) { ForwardError = forward };
    }

    /// <summary>
    /// max |y - y64| / max |y64| of the forward outputs of the gradient check's convolution and of a 3 x 3 stride-2 depthwise one
    /// (12 channels, batch 2, 10 x 10) computed in float32, on the kernels in use now (positive infinity for
    /// non-finite values).
    /// </summary>
    internal static double ForwardOutputError()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double Error(Tensor x, Tensor w, long stride, long groups)
        {
            var y = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [1, 1], groups: groups).to_type(ScalarType.Float64);
            var y64 = nn.functional.conv2d(x.to_type(ScalarType.Float64), w.to_type(ScalarType.Float64), strides: [stride, stride], padding: [1, 1], groups: groups);
            return RelativeError(y, y64);
        }
        var x = Deterministic(2 * 8 * 10 * 10, 0.37, 1.3).view(2, 8, 10, 10);
        var w = Deterministic(12 * 8 * 9, 0.91, 0.23).view(12, 8, 3, 3);
        var xd = Deterministic(2 * 12 * 10 * 10, 0.61, 0.7).view(2, 12, 10, 10);
        var wd = Deterministic(12 * 9, 0.29, 1.1).view(12, 1, 3, 3);
        return Math.Max(Error(x, w, 1, 1), Error(xd, wd, 2, 12));
    }

    /// <summary>
    /// max |dx - dx64| / max |dx64| for a 3x3 stride-1 convolution with 12 output channels computed in float32 (positive
    /// infinity for non-finite values); the forward pass on the kernels in use now, the backward pass too, or inside a
    /// <see cref="TorchNativeSettings.BackwardScope"/> when <paramref name="safeBackward"/>.
    /// </summary>
    internal static double InputGradientError(bool safeBackward = false)
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
            using (safeBackward ? TorchNativeSettings.BackwardScope() : null)
                (y * g.to_type(type)).sum().backward(); // y.backward(g)
            return xt.grad!.to_type(ScalarType.Float64);
        }
        return RelativeError(InputGradient(ScalarType.Float32), InputGradient(ScalarType.Float64));
    }

    /// <summary>max |a - ref| / max |ref| (absolute where the reference is all zeros), <paramref name="actual"/> in any floating
    /// type, <paramref name="reference"/> in float64; positive infinity for non-finite values.</summary>
    internal static double RelativeError(Tensor actual, Tensor reference)
    {
        double err = (actual.to_type(ScalarType.Float64) - reference).abs().max().ToDouble();
        if (!double.IsFinite(err)) return double.PositiveInfinity;
        double scale = reference.abs().max().ToDouble();
        return scale > 0 ? err / scale : err;
    }

    /// <summary>Float32 values 0.8 sin(a i) + 0.2 cos(b i) (no random generator, so the user's seed is untouched; float32, so the
    /// float64 computation starts from the same numbers).</summary>
    internal static Tensor Deterministic(int count, double a, double b)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(0.8 * Math.Sin(a * i) + 0.2 * Math.Cos(b * i));
        return tensor(values);
    }
}
