using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch;

/// <summary>
/// A check of the convolution kernels one model will run: every 2-D convolution layer's shape (<see cref="ConvolutionShape"/>,
/// found by one forward pass at the model's input size) is computed once in the training type (float32, bfloat16 or float16)
/// on the kernels in use (oneDNN's where it is on) — forward output, weight gradient and, where the model needs it, input
/// gradient — and compared with float64 from the same numbers (<see cref="ConvolutionShapeCheck"/>), twice on one thread and
/// twice on the process's threads. <see cref="TorchNativeSettings.CheckConvolutions"/> runs it; a CPU
/// <see cref="Training.Trainer"/> runs it for its model before the first step.
/// </summary>
/// <remarks>
/// libtorch 2.10's oneDNN computes some convolution gradients wrongly on AVX2/AVX-512 CPUs (<see cref="ConvolutionSelfCheck"/>):
/// the fixed self-check's 8 -> 12 convolution is one of them, so the library runs backward passes with oneDNN off on such CPUs,
/// at a third of the speed. The wrong kernels are those of narrow convolutions (output channels not a multiple of the vector
/// width, inputs under 16 channels in bfloat16); a model whose own convolutions are all computed right
/// (<see cref="BackwardOnOneDnn"/>) can run its backward passes on oneDNN. A shape known to crash oneDNN's backward
/// (<see cref="ConvolutionShape.KnownOneDnnBackwardCrash"/>) is not run, and the model's backward passes stay off oneDNN.
/// </remarks>
/// <param name="DataType">The type the check computed in.</param>
/// <param name="Shapes">Every distinct convolution shape of the model, with its layers and errors.</param>
/// <param name="OnOneDnn">Whether oneDNN's kernels were in use while the check ran (false where oneDNN was off: after the
/// self-check switched it off everywhere, while another thread's <see cref="TorchNativeSettings.SafeBackward"/> scope was open,
/// or with <c>EMOTION_ONEDNN_FORWARD=0</c>).</param>
public sealed record ModelConvolutionCheck(ScalarType DataType, IReadOnlyList<ConvolutionShapeCheck> Shapes, bool OnOneDnn)
{
    /// <summary>How many tries each shape gets on one thread; as many again run on the process's threads (wrong results
    /// depend on memory contents and threads: <see cref="ConvolutionSelfCheck.MaxRepetitions"/>).</summary>
    public const int SingleThreadRepetitions = 2;

    /// <summary>The batch size of the check's inputs.</summary>
    public const int Batch = 2;

    /// <summary>Convolution layers the check cannot reproduce (transposed, 1-D, 3-D): their kernels are unchecked.</summary>
    public IReadOnlyList<string> UncheckedLayers { get; init; } = [];

    /// <summary>
    /// Relative error above which a bfloat16 or float16 result counts as wrong: their 8- and 11-bit significands round each
    /// product and output (1.7e-3 to 3.7e-3 measured for bfloat16 with correct kernels); wrong kernels are off by 0.3 or more, or NaN.
    /// </summary>
    public const double LowPrecisionTolerance = 3e-2;

    /// <summary>The error above which a result counts as wrong: <see cref="ConvolutionSelfCheck.Tolerance"/> for float32,
    /// <see cref="LowPrecisionTolerance"/> for the 16-bit types.</summary>
    public double Tolerance => DataType == ScalarType.Float32 ? ConvolutionSelfCheck.Tolerance : LowPrecisionTolerance;

    /// <summary>Whether every forward output computed was within <see cref="Tolerance"/>.</summary>
    public bool ForwardCorrect => Shapes.All(s => double.IsNaN(s.ForwardError) || s.ForwardError <= Tolerance);

    /// <summary>Whether every shape's gradients were computed and within <see cref="Tolerance"/>, and no layer was left unchecked.</summary>
    public bool BackwardVerified => UncheckedLayers.Count == 0 && Shapes.All(s => s.NotRun is null && s.BackwardError <= Tolerance);

    /// <summary>Whether this model's backward passes may run on oneDNN: the check ran on oneDNN's kernels and found every
    /// forward output and gradient right.</summary>
    public bool BackwardOnOneDnn => OnOneDnn && ForwardCorrect && BackwardVerified;

    /// <summary>The largest forward error computed (0 when no shape was).</summary>
    public double MaxForwardError => Shapes.Select(s => s.ForwardError).Where(e => !double.IsNaN(e)).DefaultIfEmpty(0).Max();

    /// <summary>The largest gradient error computed (0 when no shape was).</summary>
    public double MaxBackwardError => Shapes.Where(s => s.NotRun is null).Select(s => s.BackwardError).DefaultIfEmpty(0).Max();

    /// <summary>One line for logs.</summary>
    public override string ToString()
    {
        static string E(double v) => v.ToString("0.0E+0", CultureInfo.InvariantCulture);
        int layers = Shapes.Sum(s => s.Layers.Count);
        string what = $"{Shapes.Count} convolution shapes ({layers} layers) in {TypeName(DataType)} on {(OnOneDnn ? "oneDNN" : "the kernels in use (oneDNN off, or its state unknown here)")}: " +
                      $"forward error {E(MaxForwardError)}, gradient error {E(MaxBackwardError)}";
        if (!ForwardCorrect) return $"{what}; forward wrong for {Worst(s => s.ForwardError)}";
        if (BackwardOnOneDnn) return $"{what}; backward passes may run on oneDNN";
        if (UncheckedLayers.Count > 0) return $"{what}; unchecked layers ({string.Join(", ", UncheckedLayers)}), backward passes stay off oneDNN";
        if (Shapes.FirstOrDefault(s => s.NotRun is not null) is { } skipped) return $"{what}; {skipped}, backward passes stay off oneDNN";
        if (!BackwardVerified) return $"{what}; gradient wrong for {Worst(s => s.BackwardError)}";
        return $"{what}; right (oneDNN was not in use)";
    }

    private string Worst(Func<ConvolutionShapeCheck, double> error) =>
        Shapes.Where(s => s.NotRun is null).OrderByDescending(s => double.IsNaN(error(s)) ? double.PositiveInfinity : error(s)).First().ToString();

    internal static string TypeName(ScalarType type) => type switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(ConvolutionShape Shape, ScalarType Type, bool OneDnn), ConvolutionShapeCheck> Checked = new();

    /// <summary>Finds <paramref name="model"/>'s convolution shapes with one forward pass of zeros shaped
    /// <paramref name="inputShape"/> and checks each in <paramref name="type"/> on the kernels in use now.</summary>
    internal static ModelConvolutionCheck Run(nn.Module model, long[] inputShape, ScalarType type, bool onOneDnn)
    {
        var (layers, unchecked_) = Record(model, inputShape);
        var shapes = layers.GroupBy(l => l.Shape)
            .Select(g => Checked.GetOrAdd((g.Key, type, onOneDnn), key => Check(key.Shape, [], key.Type)) with { Layers = [.. g.Select(l => l.Path)] })
            .ToList();
        return new ModelConvolutionCheck(type, shapes, onOneDnn) { UncheckedLayers = unchecked_ };
    }

    /// <summary>Every 2-D convolution call of one forward pass (eval mode, every parameter requiring a gradient for the pass,
    /// so that an input that depends on any parameter shows it), and the convolution layers the check cannot reproduce.</summary>
    private static (List<(string Path, ConvolutionShape Shape)> Layers, List<string> Unchecked) Record(nn.Module model, long[] inputShape)
    {
        var layers = new List<(string, ConvolutionShape)>();
        var unchecked_ = new List<string>();
        var hooks = new List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover>();
        var frozen = model.parameters().Where(p => !p.requires_grad).ToList();
        bool wasTraining = model.training;
        try
        {
            foreach (var (path, module) in model.named_modules())
            {
                if (module is not Convolution conv) continue;
                if (conv.transposed || conv.kernel_size.Length != 2)
                {
                    unchecked_.Add(path);
                    continue;
                }
                hooks.Add(conv.register_forward_hook((_, input, output) =>
                {
                    layers.Add((path, ShapeOf(conv, input)));
                    return output;
                }));
            }
            foreach (var p in frozen) p.requires_grad = true;
            model.eval();
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            if (model is nn.Module<Tensor, Tensor> forward) forward.call(zeros(inputShape, device: device));
            else throw new ArgumentException($"The convolution check runs a forward pass of one tensor; {model.GetType().Name} is not a Module<Tensor, Tensor>.", nameof(model));
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
            foreach (var p in frozen) p.requires_grad = false;
            model.train(wasTraining);
        }
        return (layers, unchecked_);
    }

    private static ConvolutionShape ShapeOf(Convolution conv, Tensor input)
    {
        int At(long[]? values, int i, int fallback) => values is null || values.Length == 0 ? fallback : (int)values[Math.Min(i, values.Length - 1)];
        var (k, s, d) = ((At(conv.kernel_size, 0, 1), At(conv.kernel_size, 1, 1)), (At(conv.stride, 0, 1), At(conv.stride, 1, 1)), (At(conv.dilation, 0, 1), At(conv.dilation, 1, 1)));
        int h = (int)input.shape[2], w = (int)input.shape[3];
        (int Y, int X) pad;
        if (conv.padding_type == TorchSharp.Padding.Same)
        {
            // libtorch's convolution_same: symmetric total / 2, the odd extra row or column padded separately at the end.
            int totalY = d.Item1 * (k.Item1 - 1), totalX = d.Item2 * (k.Item2 - 1);
            pad = (totalY / 2, totalX / 2);
            h += totalY % 2;
            w += totalX % 2;
        }
        else pad = conv.padding_type == TorchSharp.Padding.Valid ? (0, 0) : (At(conv.padding, 0, 0), At(conv.padding, 1, 0));
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            // Reflect, replicate and circular padding are a separate pad; the kernel then runs unpadded on the larger map.
            h += 2 * pad.Y;
            w += 2 * pad.X;
            pad = (0, 0);
        }
        return new ConvolutionShape((int)conv.in_channels, (int)conv.out_channels, k, s, pad, d, (int)conv.groups, (h, w),
            conv.bias is not null, input.requires_grad);
    }

    /// <summary>Computes one shape in <paramref name="type"/> (<see cref="SingleThreadRepetitions"/> tries on one thread, as many
    /// on the process's threads) and in float64, from the same numbers.</summary>
    private static ConvolutionShapeCheck Check(ConvolutionShape shape, IReadOnlyList<string> layers, ScalarType type)
    {
        bool backward = !shape.KnownOneDnnBackwardCrash;
        using var scope = NewDisposeScope();
        var inputs = CheckInputs.For(shape, type);
        var reference = inputs.Pass(ScalarType.Float64, backward);
        double forward = 0, weight = 0, input = 0;
        int threads = torch.get_num_threads();
        try
        {
            for (int i = 0; i < 2 * SingleThreadRepetitions; i++)
            {
                torch.set_num_threads(i < SingleThreadRepetitions ? 1 : threads);
                using var tryScope = NewDisposeScope();
                var result = inputs.Pass(type, backward);
                forward = Math.Max(forward, ConvolutionSelfCheck.RelativeError(result.Y, reference.Y));
                if (!backward) continue;
                weight = Math.Max(weight, ConvolutionSelfCheck.RelativeError(result.Dw!, reference.Dw!));
                if (shape.InputGradient) input = Math.Max(input, ConvolutionSelfCheck.RelativeError(result.Dx!, reference.Dx!));
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        return backward
            ? new ConvolutionShapeCheck(shape, layers, forward, weight, shape.InputGradient ? input : null)
            : new ConvolutionShapeCheck(shape, layers, forward, double.NaN, null, "known to crash oneDNN's backward (SIGFPE)");
    }

    /// <summary>The float32 inputs of one shape's check, rounded to the check's type (so float64 starts from the same numbers).</summary>
    private sealed record CheckInputs(ConvolutionShape Shape, Tensor X, Tensor W, Tensor? B, Tensor G)
    {
        public static CheckInputs For(ConvolutionShape s, ScalarType type)
        {
            Tensor Rounded(Tensor t) => type == ScalarType.Float32 ? t : t.to_type(type).to_type(ScalarType.Float32);
            int perGroup = s.InChannels / s.Groups;
            int outH = (s.Input.Height + 2 * s.Padding.Y - s.Dilation.Y * (s.Kernel.Y - 1) - 1) / s.Stride.Y + 1;
            int outW = (s.Input.Width + 2 * s.Padding.X - s.Dilation.X * (s.Kernel.X - 1) - 1) / s.Stride.X + 1;
            // Unit-scale inputs and gradients, weights scaled by 1 / sqrt(fan-in) so outputs stay near unit scale.
            double fanIn = perGroup * s.Kernel.Y * s.Kernel.X;
            var x = Rounded(ConvolutionSelfCheck.Deterministic(Batch * s.InChannels * s.Input.Height * s.Input.Width, 0.37, 1.3)
                .view(Batch, s.InChannels, s.Input.Height, s.Input.Width));
            var w = Rounded((ConvolutionSelfCheck.Deterministic(s.OutChannels * perGroup * s.Kernel.Y * s.Kernel.X, 0.91, 0.23) / Math.Sqrt(fanIn))
                .view(s.OutChannels, perGroup, s.Kernel.Y, s.Kernel.X));
            var b = s.Bias ? Rounded(ConvolutionSelfCheck.Deterministic(s.OutChannels, 0.11, 0.7)) : null;
            var g = Rounded(ConvolutionSelfCheck.Deterministic(Batch * s.OutChannels * outH * outW, 0.53, 1.7).view(Batch, s.OutChannels, outH, outW));
            return new CheckInputs(s, x, w, b, g);
        }

        /// <summary>The forward output and, when <paramref name="backward"/>, the weight and input gradients of <c>sum(y * g)</c>,
        /// computed in <paramref name="type"/>.</summary>
        public (Tensor Y, Tensor? Dx, Tensor? Dw) Pass(ScalarType type, bool backward)
        {
            using var grad = enable_grad();
            var x = X.to_type(type).detach().requires_grad_(backward && Shape.InputGradient);
            var w = W.to_type(type).detach().requires_grad_(backward);
            var y = nn.functional.conv2d(x, w, B?.to_type(type), strides: [Shape.Stride.Y, Shape.Stride.X],
                padding: [Shape.Padding.Y, Shape.Padding.X], dilation: [Shape.Dilation.Y, Shape.Dilation.X], groups: Shape.Groups);
            if (!backward) return (y.detach(), null, null);
            (y * G.to_type(type)).sum().backward();
            return (y.detach(), Shape.InputGradient ? x.grad : null, w.grad);
        }
    }
}
