using System.Globalization;
using Emotion.Torch.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvCheck;

/// <summary>
/// Is libtorch 2.10's oneDNN FORWARD convolution right on this CPU, and are gradients right when oneDNN runs the forward pass
/// and is switched off only around backward ("toggled")? `ConvCheck forward [--threads T] [--reps N]`.
/// Every layer shape of small_cnn@64, ResNet-18@112 (3x3, 7x7 stem, 1x1 stride-2 downsample), MobileNetV2@112 (1x1, 3x3
/// depthwise stride 1 and 2), mini-Xception@64 (3x3 without padding, depthwise, pointwise, 1x1 stride-2 shortcut) and odd
/// channel counts (where oneDNN's backward is wrong), batch 6. Per case, against float64 computed from the same float32 (or
/// bfloat16-rounded) numbers, error = max|a - ref| / max|ref|, worst over the repetitions:
///   f32 y on / off  forward with oneDNN on / off;
///   bf16 y on / off bfloat16 forward with oneDNN on / off (reference: float64 from the bfloat16-rounded inputs);
///   toggled dx, dw  float32 forward with oneDNN on, backward with it off;
///   all-on dx       float32 forward and backward with oneDNN on (the known bug, for contrast).
/// Then whole backbones (eval mode): float32 forward on vs float64, bfloat16 forward on and off vs float64, and the input and
/// worst parameter gradient toggled.
/// </summary>
internal static class ForwardCheck
{
    private sealed record Layer(string Name, int N, int Cin, int Cout, int Size, int K, int Stride, int Pad, int Groups)
    {
        public int Out => (Size + 2 * Pad - K) / Stride + 1;
    }

    private static List<Layer> Layers()
    {
        var l = new List<Layer>();
        void A(string name, int cin, int cout, int size, int k, int stride, int pad = -1, int groups = 1, int n = 6) =>
            l.Add(new Layer(name, n, cin, cout, size, k, stride, pad < 0 ? k / 2 : pad, groups));
        void Dw(string name, int c, int size, int stride) => A(name, c, c, size, 3, stride, 1, c);
        // small_cnn@64 (width 16): four 3x3 stride-2 blocks.
        A("small_cnn/block1", 3, 16, 64, 3, 2); A("small_cnn/block2", 16, 32, 32, 3, 2);
        A("small_cnn/block3", 32, 64, 16, 3, 2); A("small_cnn/block4", 64, 128, 8, 3, 2);
        // ResNet-18@112.
        A("resnet18/conv1_7x7", 3, 64, 112, 7, 2); A("resnet18/layer1", 64, 64, 28, 3, 1);
        A("resnet18/layer2.0.conv1", 64, 128, 28, 3, 2); A("resnet18/layer2.0.downsample_1x1s2", 64, 128, 28, 1, 2);
        A("resnet18/layer2", 128, 128, 14, 3, 1); A("resnet18/layer3.0.downsample_1x1s2", 128, 256, 14, 1, 2);
        A("resnet18/layer3", 256, 256, 7, 3, 1); A("resnet18/layer4.0.downsample_1x1s2", 256, 512, 7, 1, 2);
        A("resnet18/layer4", 512, 512, 4, 3, 1);
        // MobileNetV2@112.
        A("mobilenet_v2/stem", 3, 32, 112, 3, 2); Dw("mobilenet_v2/dw32_s1", 32, 56, 1); A("mobilenet_v2/pw32-16", 32, 16, 56, 1, 1);
        A("mobilenet_v2/pw16-96", 16, 96, 56, 1, 1); Dw("mobilenet_v2/dw96_s2", 96, 56, 2); A("mobilenet_v2/pw96-24", 96, 24, 28, 1, 1);
        Dw("mobilenet_v2/dw144_s1", 144, 28, 1); Dw("mobilenet_v2/dw144_s2", 144, 28, 2); A("mobilenet_v2/pw144-32", 144, 32, 14, 1, 1);
        Dw("mobilenet_v2/dw192_s2", 192, 14, 2); Dw("mobilenet_v2/dw384_s1", 384, 7, 1); A("mobilenet_v2/pw384-96", 384, 96, 7, 1, 1);
        Dw("mobilenet_v2/dw576_s2", 576, 7, 2); Dw("mobilenet_v2/dw960_s1", 960, 4, 1); A("mobilenet_v2/pw320-1280", 320, 1280, 4, 1, 1);
        // mini-Xception@64 (grayscale input, no padding in the stem).
        A("mini_xception/conv1", 1, 32, 64, 3, 2, 0); A("mini_xception/conv2", 32, 64, 31, 3, 1, 0);
        Dw("mini_xception/block1.dw64", 64, 29, 1); A("mini_xception/block1.pw64-128", 64, 128, 29, 1, 1);
        A("mini_xception/block1.shortcut_1x1s2", 64, 128, 29, 1, 2, 0); Dw("mini_xception/block2.dw128", 128, 15, 1);
        A("mini_xception/block2.pw128-256", 128, 256, 15, 1, 1); A("mini_xception/block2.shortcut_1x1s2", 128, 256, 15, 1, 2, 0);
        // Odd channel counts: where oneDNN's backward-data is wrong (the self-check's shape and the Grad-CAM test network).
        A("odd/selfcheck_8-12_10", 8, 12, 10, 3, 1, n: 2); A("odd/tinycam_3-4_12", 3, 4, 12, 3, 1); A("odd/tinycam_4-5_12_s2", 4, 5, 12, 3, 2);
        A("odd/5-7_9_s2", 5, 7, 9, 3, 2); Dw("odd/dw12_s1", 12, 10, 1); Dw("odd/dw7_s2", 7, 9, 2); A("odd/1x1s2_12-20", 12, 20, 9, 1, 2);
        return l;
    }

    public static int Run(int threads, int reps, string? only)
    {
        Environment.SetEnvironmentVariable("EMOTION_CONV_SELF_CHECK", "0");
        torch.InitializeDeviceType(DeviceType.CPU);
        Emotion.Torch.TorchNativeSettings.Apply(); // NNPACK off only (the self-check is skipped above)
        torch.set_num_threads(threads);
        NativeSwitch.SetMkldnn(true);
        Console.WriteLine($"threads {threads}, reps {reps}; error = max|a - float64| / max|float64|, worst over the reps");
        Console.WriteLine(string.Join('\t', "case", "n", "cin", "cout", "size", "k", "s", "groups", "f32_y_on", "f32_y_off", "bf16_y_on", "bf16_y_off",
            "toggled_dx", "toggled_dw", "allon_dx", "allon_dw"));
        double worstF32 = 0, worstBf16On = 0, worstBf16Off = 0, worstToggled = 0;
        foreach (var c in Layers())
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.Ordinal)) continue;
            var rng = new Random(c.Name.GetHashCode(StringComparison.Ordinal) & 0xffff);
            var x = Normal(rng, [c.N, c.Cin, c.Size, c.Size], 1);
            var w = Normal(rng, [c.Cout, c.Cin / c.Groups, c.K, c.K], Math.Sqrt(2.0 / (c.Cin / c.Groups * c.K * c.K)));
            var b = Normal(rng, [c.Cout], 0.1);
            var g = Normal(rng, [c.N, c.Cout, c.Out, c.Out], 1);
            var ref64 = Conv(c, x, w, b, g, ScalarType.Float64, Mode.Off);
            Tensor[] bx = [x, w, b, g];
            var rounded = bx.Select(t => t.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).ToArray();
            var refBf = Conv(c, rounded[0], rounded[1], rounded[2], rounded[3], ScalarType.Float64, Mode.Off);
            double yOn = 0, yOff = 0, bOn = 0, bOff = 0, tdx = 0, tdw = 0, adx = 0, adw = 0;
            for (int r = 0; r < reps; r++)
            {
                var on = Conv(c, x, w, b, g, ScalarType.Float32, Mode.On);
                yOn = Max(yOn, Rel(on.Y, ref64.Y)); adx = Max(adx, Rel(on.Dx, ref64.Dx)); adw = Max(adw, Rel(on.Dw, ref64.Dw));
                var off = Conv(c, x, w, b, g, ScalarType.Float32, Mode.Off, backward: false);
                yOff = Max(yOff, Rel(off.Y, ref64.Y));
                var tog = Conv(c, x, w, b, g, ScalarType.Float32, Mode.Toggled);
                tdx = Max(tdx, Rel(tog.Dx, ref64.Dx)); tdw = Max(tdw, Rel(tog.Dw, ref64.Dw));
                var bfOn = Conv(c, rounded[0], rounded[1], rounded[2], rounded[3], ScalarType.BFloat16, Mode.On, backward: false);
                bOn = Max(bOn, Rel(bfOn.Y, refBf.Y));
                var bfOff = Conv(c, rounded[0], rounded[1], rounded[2], rounded[3], ScalarType.BFloat16, Mode.Off, backward: false);
                bOff = Max(bOff, Rel(bfOff.Y, refBf.Y));
            }
            worstF32 = Max(worstF32, yOn); worstBf16On = Max(worstBf16On, bOn); worstBf16Off = Max(worstBf16Off, bOff);
            worstToggled = Max(worstToggled, Max(tdx, tdw));
            Console.WriteLine(string.Join('\t', c.Name, c.N, c.Cin, c.Cout, c.Size, c.K, c.Stride, c.Groups, E(yOn), E(yOff), E(bOn), E(bOff), E(tdx), E(tdw), E(adx), E(adw)));
            foreach (var t in bx.Concat(rounded)) t.Dispose();
        }
        Console.WriteLine($"worst over all layers: f32 forward (oneDNN on) {E(worstF32)}; bf16 forward on {E(worstBf16On)} / off {E(worstBf16Off)}; " +
            $"toggled gradients {E(worstToggled)}");
        return 0;
    }

    private enum Mode { On, Off, Toggled }

    private sealed record Out(double[] Y, double[] Dx, double[] Dw);

    private static Out Conv(Layer c, Tensor x, Tensor w, Tensor b, Tensor g, ScalarType type, Mode mode, bool backward = true)
    {
        using var scope = NewDisposeScope();
        NativeSwitch.SetMkldnn(mode != Mode.Off);
        try
        {
            var xt = x.to_type(type).detach().requires_grad_(backward);
            var wt = w.to_type(type).detach().requires_grad_(backward);
            var y = nn.functional.conv2d(xt, wt, b.to_type(type), strides: [c.Stride, c.Stride], padding: [c.Pad, c.Pad], groups: c.Groups);
            if (!backward) return new Out(D(y), [], []);
            if (mode == Mode.Toggled) NativeSwitch.SetMkldnn(false);
            (y * g.to_type(type)).sum().backward();
            return new Out(D(y), D(xt.grad!), D(wt.grad!));
        }
        finally
        {
            NativeSwitch.SetMkldnn(true);
        }
    }

    /// <summary>Whole backbones in eval mode: float32 forward with oneDNN on vs float64; bfloat16 forward on/off; toggled gradients.</summary>
    public static int Models(int threads, int reps)
    {
        Environment.SetEnvironmentVariable("EMOTION_CONV_SELF_CHECK", "0");
        torch.InitializeDeviceType(DeviceType.CPU);
        Emotion.Torch.TorchNativeSettings.Apply();
        torch.set_num_threads(threads);
        Console.WriteLine(string.Join('\t', "model", "size", "f32_out_on", "f32_out_off", "bf16_out_on", "bf16_out_off", "toggled_dx", "toggled_worst_param", "allon_dx", "allon_worst_param"));
        foreach (var (name, size) in new[] { ("small_cnn", 64), ("resnet18", 112), ("mobilenet_v2", 112), ("mini_xception", 64) })
        {
            var spec = BackboneSpec.Named(name);
            var context = new BackboneBuildContext(size);
            torch.manual_seed(7);
            using var m = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
            torch.manual_seed(7);
            using var m64 = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
            m64.to(ScalarType.Float64);
            m.eval(); m64.eval();
            torch.manual_seed(11);
            using var x = randn(6, 3, size, size);
            using var g = randn(6, m.FeatureWidth);
            var reference = Grads(m64, x.to_type(ScalarType.Float64), g.to_type(ScalarType.Float64), Mode.Off);
            double on = 0, off = 0, bon = 0, boff = 0, tdx = 0, tp = 0, adx = 0, ap = 0;
            for (int r = 0; r < reps; r++)
            {
                on = Max(on, Rel(Forward(m, x, true), reference["output"]));
                off = Max(off, Rel(Forward(m, x, false), reference["output"]));
                var t = Grads(m, x, g, Mode.Toggled);
                tdx = Max(tdx, Rel(t["input"], reference["input"]));
                tp = Max(tp, t.Keys.Where(k => k is not ("input" or "output")).Max(k => Rel(t[k], reference[k])));
                var a = Grads(m, x, g, Mode.On);
                adx = Max(adx, Rel(a["input"], reference["input"]));
                ap = Max(ap, a.Keys.Where(k => k is not ("input" or "output")).Max(k => Rel(a[k], reference[k])));
            }
            // bfloat16: the model and input rounded to bfloat16; reference float64 from the same rounded numbers.
            torch.manual_seed(7);
            using var mb = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
            mb.eval();
            mb.to(ScalarType.BFloat16);
            using var xb = x.to_type(ScalarType.BFloat16);
            torch.manual_seed(7);
            using var mb64 = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
            mb64.eval();
            mb64.to(ScalarType.BFloat16); mb64.to(ScalarType.Float64);
            var refB = Forward(mb64, xb.to_type(ScalarType.Float64), false);
            for (int r = 0; r < reps; r++)
            {
                bon = Max(bon, Rel(Forward(mb, xb, true), refB));
                boff = Max(boff, Rel(Forward(mb, xb, false), refB));
            }
            Console.WriteLine(string.Join('\t', name, size, E(on), E(off), E(bon), E(boff), E(tdx), E(tp), E(adx), E(ap)));
        }
        return 0;
    }

    private static double[] Forward(nn.Module<Tensor, Tensor> m, Tensor x, bool mkldnn)
    {
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        NativeSwitch.SetMkldnn(mkldnn);
        try { return D(m.call(x)); }
        finally { NativeSwitch.SetMkldnn(true); }
    }

    private static Dictionary<string, double[]> Grads(nn.Module<Tensor, Tensor> m, Tensor x, Tensor g, Mode mode)
    {
        using var scope = NewDisposeScope();
        m.zero_grad();
        NativeSwitch.SetMkldnn(mode != Mode.Off);
        try
        {
            var input = x.detach().clone().requires_grad_(true);
            var y = m.call(input);
            if (mode == Mode.Toggled) NativeSwitch.SetMkldnn(false);
            (y * g).sum().backward();
            var result = new Dictionary<string, double[]> { ["input"] = D(input.grad!), ["output"] = D(y) };
            foreach (var (n, p) in m.named_parameters())
                if (p.grad is { } grad) result[n] = D(grad);
            return result;
        }
        finally
        {
            NativeSwitch.SetMkldnn(true);
        }
    }

    private static Tensor Normal(Random rng, long[] shape, double scale)
    {
        var v = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < v.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return tensor(v).view(shape);
    }

    private static double[] D(Tensor t)
    {
        using var d = t.detach().to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>max |a - b| / max |b|; positive infinity when a holds NaN or infinity.</summary>
    private static double Rel(double[] a, double[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"sizes differ: {a.Length} vs {b.Length}");
        double err = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]);
            if (!double.IsFinite(d)) return double.PositiveInfinity;
            err = Math.Max(err, d);
            scale = Math.Max(scale, Math.Abs(b[i]));
        }
        return scale == 0 ? err : err / scale;
    }

    private static double Max(double a, double b) => Math.Max(a, b);

    private static string E(double v) => v.ToString("0.0E+0", CultureInfo.InvariantCulture);
}
