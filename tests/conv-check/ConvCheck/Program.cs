using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ConvCheck;
using Emotion.Torch;
using TorchSharp;
using static TorchSharp.torch;

// Reproduction for issue 14 item 5: is libtorch 2.10's float32 conv2d backward (oneDNN, default ISA) wrong on this CPU?
//   gen DIR                      write the cases (cases.tsv) and their float32 inputs (DIR/cases/NN/{x,w,b,g}.npy)
//   run DIR [options]            float32 forward+backward, repeated, against float64 and PyTorch 1.13 (tests/conv-check/torch_reference.py)
//   probe "N,CIN,COUT,SIZE,K,STRIDE[;...]"  ad-hoc shapes, float32 vs float64 only
//   forward layers|models [--threads T] [--reps N] [--only S]  oneDNN's forward convolution (float32, bfloat16) and
//                                gradients with oneDNN on for forward and off for backward (ForwardCheck.cs)
//   model NAME [options]         a whole backbone (resnet18, resnet50, vgg16, ...) forward+backward, float32 vs float64
// See tests/conv-check/run.sh and docs/troubleshooting.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2) return Usage();
var options = Options.Parse(args.Skip(2).ToArray());
if (options is null) return Usage();
try
{
    return args[0] switch
    {
        "gen" => Generate(args[1]),
        "run" => Run(args[1], options),
        "model" => RunModel(args[1], options),
        "probe" => Probe(args[1], options),
        "forward" when args[1] == "layers" => ForwardCheck.Run(options.Threads, options.Reps, options.Only),
        "forward" when args[1] == "models" => ForwardCheck.Models(options.Threads, options.Reps),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
{
    Console.Error.WriteLine($"conv-check: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ConvCheck gen DIR | run DIR [--threads T] [--label L] [--out FILE] [--from I] [--only SUBSTRING] " +
        "[--budget-gflop G] [--min-reps N] [--max-reps N] [--no-input-grad] [--library] [--mkldnn off] | probe \"N,CIN,COUT,SIZE,K,STRIDE[,PAD];...\" [same options] | model NAME [--size S] [--batch B] [--reps N] [--threads T] [--label L] [--out FILE]");
    return 2;
}

static int Generate(string dir)
{
    var cases = ConvCase.All();
    Directory.CreateDirectory(Path.Combine(dir, "cases"));
    File.WriteAllLines(Path.Combine(dir, "cases.tsv"), [ConvCase.Header, .. cases.Select(c => c.ToTsv())]);
    for (int i = 0; i < cases.Count; i++)
    {
        var c = cases[i];
        string caseDir = Path.Combine(dir, "cases", i.ToString("00"));
        Directory.CreateDirectory(caseDir);
        var rng = new Random(1000 + i);
        // x, g ~ N(0, 1); w ~ N(0, 2 / fan_in) (He initialisation); b ~ N(0, 0.1). Stored as float32, so the float64
        // computations start from exactly the same values.
        Npy.Write(Path.Combine(caseDir, "x.npy"), Normal(rng, c.InputShape, 1.0), c.InputShape);
        Npy.Write(Path.Combine(caseDir, "w.npy"), Normal(rng, c.WeightShape, Math.Sqrt(2.0 / (c.Cin * c.K * c.K))), c.WeightShape);
        Npy.Write(Path.Combine(caseDir, "b.npy"), Normal(rng, [c.Cout], 0.1), [c.Cout]);
        Npy.Write(Path.Combine(caseDir, "g.npy"), Normal(rng, c.OutputShape, 1.0), c.OutputShape);
    }
    Console.WriteLine($"{cases.Count} cases written to {dir}");
    return 0;
}

static float[] Normal(Random rng, long[] shape, double scale)
{
    var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
    for (int i = 0; i < values.Length; i++)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
    return values;
}

static int Run(string dir, Options o)
{
    var cases = File.ReadAllLines(Path.Combine(dir, "cases.tsv")).Skip(1).Select(ConvCase.Parse).ToList();
    var (label, isa) = Setup(o);
    bool newFile = o.Out is not null && !File.Exists(o.Out);
    using var output = o.Out is null ? null : new StreamWriter(o.Out, append: true) { AutoFlush = true };
    if (newFile) output!.WriteLine(Result.Header);
    Console.WriteLine($"{label}: {cases.Count - o.From} cases from #{o.From}; torch threads {torch.get_num_threads()}");
    for (int i = o.From; i < cases.Count; i++)
    {
        var c = cases[i];
        if (o.Only is not null && !c.Name.Contains(o.Only, StringComparison.Ordinal)) continue;
        if (o.Out is not null) File.WriteAllText(o.Out + ".current", $"{i}\t{c.Name}\n");
        string caseDir = Path.Combine(dir, "cases", i.ToString("00"));
        var x = Npy.Read(Path.Combine(caseDir, "x.npy")).Data;
        var w = Npy.Read(Path.Combine(caseDir, "w.npy")).Data;
        var b = Npy.Read(Path.Combine(caseDir, "b.npy")).Data;
        var g = Npy.Read(Path.Combine(caseDir, "g.npy")).Data;

        var r = RunCase(c, i, x, w, b, g, Grads.Load(caseDir, "torch_f64"), Grads.Load(caseDir, "torch_f32"), o, label, isa);
        output?.WriteLine(r.ToTsv());
        Console.WriteLine(r.ToText());
    }
    if (o.Out is not null) File.Delete(o.Out + ".current");
    return 0;
}

// Raw libtorch (NNPACK off, as in every Emotion.Core process, but no self-check), or with --library the library's
// protection (TorchNativeSettings.Apply with its convolution self-check), or with --mkldnn off oneDNN switched off by hand.
static (string Label, string Isa) Setup(Options o)
{
    if (!o.Library) Environment.SetEnvironmentVariable("EMOTION_CONV_SELF_CHECK", "0");
    torch.InitializeDeviceType(DeviceType.CPU);
    var applyClock = Stopwatch.StartNew();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    TorchNativeSettings.Apply();
    applyClock.Stop();
    var applyCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    if (!o.Mkldnn) NativeSwitch.SetMkldnn(false);
    torch.set_num_threads(o.Threads);
    string isa = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "default";
    string mode = o.Library ? " +Emotion.Torch self-check" : o.Mkldnn ? "" : " mkldnn=off";
    if (o.Library)
        Console.WriteLine($"self-check ({applyClock.Elapsed.TotalMilliseconds:F0} ms wall, {applyCpu.TotalMilliseconds:F0} ms CPU, NNPACK setting included): " +
            $"{TorchNativeSettings.ConvolutionCheck}");
    return (o.Label ?? $"libtorch2.10 isa={isa}{mode} threads={o.Threads}", isa);
}

static Result RunCase(ConvCase c, int index, double[] x, double[] w, double[] b, double[] g, Grads? torch64, Grads? torch32, Options o, string label, string isa)
{
    var reference = Compute(c, x, w, b, g, ScalarType.Float64, o.InputGrad);
    var reference2 = Compute(c, x, w, b, g, ScalarType.Float64, o.InputGrad);
    int reps = (int)Math.Clamp(o.BudgetGflop * 1e9 / c.Flops, o.MinReps, o.MaxReps);
    var r = new Result(label, isa, o.Threads, index, c, reps);
    r.F64Repeat = Grads.MaxRel(reference2, reference);
    if (torch64 is not null) r.F64VsTorch = Grads.MaxRel(torch64, reference);
    if (torch32 is not null) r.Torch32 = Grads.Errors(torch32, reference);
    Grads? first = null;
    var clock = Stopwatch.StartNew();
    for (int rep = 0; rep < reps; rep++)
    {
        var f32 = Compute(c, x, w, b, g, ScalarType.Float32, o.InputGrad);
        r.Add(f32, reference, torch32, first);
        first ??= f32;
    }
    r.MsPerRep = clock.Elapsed.TotalMilliseconds / reps;
    return r;
}

/// <summary>Ad-hoc shapes without PyTorch: "N,CIN,COUT,SIZE,K,STRIDE[,PAD]" separated by ';'.</summary>
static int Probe(string specs, Options o)
{
    var (label, isa) = Setup(o);
    int index = 0;
    foreach (var spec in specs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        var v = spec.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (v.Length is < 6 or > 7) throw new ArgumentException($"probe '{spec}': expected N,CIN,COUT,SIZE,K,STRIDE[,PAD]");
        var c = new ConvCase($"probe/b{v[0]}_c{v[1]}-{v[2]}_{v[3]}_k{v[4]}s{v[5]}", "probe", v[0], v[1], v[2], v[3], v[3], v[4], v[5], v.Length > 6 ? v[6] : v[4] / 2);
        var rng = new Random(1000 + index);
        double[] D(float[] f) => f.Select(z => (double)z).ToArray();
        var x = D(Normal(rng, c.InputShape, 1.0));
        var w = D(Normal(rng, c.WeightShape, Math.Sqrt(2.0 / (c.Cin * c.K * c.K))));
        var b = D(Normal(rng, [c.Cout], 0.1));
        var g = D(Normal(rng, c.OutputShape, 1.0));
        Console.WriteLine(RunCase(c, index++, x, w, b, g, null, null, o, label, isa).ToText());
    }
    return 0;
}

static Grads Compute(ConvCase c, double[] x, double[] w, double[] b, double[] g, ScalarType type, bool inputGrad)
{
    using var scope = NewDisposeScope();
    // Without an input gradient (the first layer of a network) libtorch runs no backward-data convolution at all.
    var xt = tensor(x, c.InputShape).to_type(type).requires_grad_(inputGrad);
    var wt = tensor(w, c.WeightShape).to_type(type).requires_grad_(true);
    var bt = tensor(b, [c.Cout]).to_type(type).requires_grad_(true);
    var gt = tensor(g, c.OutputShape).to_type(type);
    var y = nn.functional.conv2d(xt, wt, bt, strides: [c.Stride, c.Stride], padding: [c.Pad, c.Pad]);
    // d(sum(y * g))/dy = g exactly, so this is y.backward(g).
    (y * gt).sum().backward();
    return new Grads(ToDoubles(y), inputGrad ? ToDoubles(xt.grad!) : [], ToDoubles(wt.grad!), ToDoubles(bt.grad!));
}

static double[] ToDoubles(Tensor t)
{
    using var d = t.detach().to_type(ScalarType.Float64).contiguous();
    return d.data<double>().ToArray();
}

static int RunModel(string name, Options o)
{
    var (label, isa) = Setup(o);
    var spec = Emotion.Torch.Backbones.BackboneSpec.Named(name);
    var context = new Emotion.Torch.Backbones.BackboneBuildContext(o.Size);
    torch.manual_seed(7);
    using var m32 = Emotion.Torch.Backbones.BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
    torch.manual_seed(7);
    using var m64 = Emotion.Torch.Backbones.BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
    m64.to(ScalarType.Float64);
    // Evaluation mode: batch norm uses its running statistics, so the network is a fixed chain of convolutions and affine
    // maps (training-mode batch norm over a few 1x1 maps divides by tiny variances and amplifies float32 rounding).
    m32.eval();
    m64.eval();
    torch.manual_seed(11);
    using var x32 = randn(o.Batch, 3, o.Size, o.Size);
    using var x64 = x32.to_type(ScalarType.Float64);
    using var g32 = randn(o.Batch, m32.FeatureWidth);
    using var g64 = g32.to_type(ScalarType.Float64);

    var reference = ModelGrads(m64, x64, g64);
    var names = reference.Keys.ToList();
    var worst = names.ToDictionary(n => n, _ => 0.0);
    Dictionary<string, double[]>? first = null;
    int varying = 0, nonFinite = 0;
    double maxVariation = 0;
    var clock = Stopwatch.StartNew();
    for (int rep = 0; rep < o.Reps; rep++)
    {
        var grads = ModelGrads(m32, x32, g32);
        bool differs = false;
        foreach (var n in names)
        {
            nonFinite += grads[n].Count(v => !double.IsFinite(v));
            worst[n] = Math.Max(worst[n], Grads.Rel(grads[n], reference[n]));
            if (first is not null && !grads[n].AsSpan().SequenceEqual(first[n]))
            {
                differs = true;
                maxVariation = Math.Max(maxVariation, Grads.Rel(grads[n], first[n], reference[n]));
            }
        }
        if (differs) varying++;
        first ??= grads;
    }
    double ms = clock.Elapsed.TotalMilliseconds / o.Reps;
    var convWeights = names.Where(n => n.EndsWith(".weight", StringComparison.Ordinal) && reference[n].Length > 0).ToList();
    string worstParam = names.Where(n => n != "input").MaxBy(n => worst[n])!;
    string line = string.Join('\t', label, isa, o.Threads, name, o.Size, o.Batch, o.Reps, ms.ToString("F1"),
        worst["input"].ToString("E2"), worstParam, worst[worstParam].ToString("E2"), varying, maxVariation.ToString("E2"), nonFinite);
    if (o.Out is not null)
    {
        bool newFile = !File.Exists(o.Out);
        using var w = new StreamWriter(o.Out, append: true);
        if (newFile) w.WriteLine("label\tisa\tthreads\tmodel\tsize\tbatch\treps\tms_per_rep\tdx_rel\tworst_param\tworst_param_rel\treps_differing\tmax_variation_rel\tnonfinite");
        w.WriteLine(line);
    }
    Console.WriteLine($"{label} {name}@{o.Size} batch {o.Batch}: {o.Reps} reps, {ms:F1} ms/rep; input grad rel err {worst["input"]:E2}; " +
        $"worst parameter grad {worstParam} {worst[worstParam]:E2}; reps differing from the first {varying} (max {maxVariation:E2}); non-finite {nonFinite}");
    return 0;
}

static Dictionary<string, double[]> ModelGrads(nn.Module<Tensor, Tensor> model, Tensor x, Tensor g)
{
    using var scope = NewDisposeScope();
    model.zero_grad();
    var input = x.detach().clone().requires_grad_(true);
    var features = model.call(input);
    (features * g).sum().backward();
    var result = new Dictionary<string, double[]> { ["input"] = ToDoubles(input.grad!) };
    foreach (var (n, p) in model.named_parameters())
        if (p.grad is { } grad) result[n] = ToDoubles(grad);
    return result;
}

namespace ConvCheck
{
    internal sealed record Options(int Threads, string? Label, string? Out, int From, string? Only, double BudgetGflop, int MinReps, int MaxReps, int Size, int Batch, int Reps, bool InputGrad = true, bool Mkldnn = true, bool Library = false)
    {
        public static Options? Parse(string[] args)
        {
            var o = new Options(1, null, null, 0, null, 4, 20, 500, 32, 6, 50);
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--no-input-grad") { o = o with { InputGrad = false }; continue; }
                if (args[i] == "--library") { o = o with { Library = true }; continue; }
                if (i + 1 >= args.Length) return null;
                string v = args[++i];
                int I() => int.Parse(v, CultureInfo.InvariantCulture);
                o = args[i - 1] switch
                {
                    "--threads" => o with { Threads = I() },
                    "--label" => o with { Label = v },
                    "--out" => o with { Out = v },
                    "--from" => o with { From = I() },
                    "--only" => o with { Only = v },
                    "--budget-gflop" => o with { BudgetGflop = double.Parse(v, CultureInfo.InvariantCulture) },
                    "--min-reps" => o with { MinReps = I() },
                    "--max-reps" => o with { MaxReps = I() },
                    "--size" => o with { Size = I() },
                    "--batch" => o with { Batch = I() },
                    "--reps" => o with { Reps = I() },
                    "--mkldnn" => o with { Mkldnn = v != "off" },
                    _ => null,
                };
                if (o is null) return null;
            }
            return o;
        }
    }

    /// <summary>Forward output and the three gradients of one computation, as doubles.</summary>
    internal sealed record Grads(double[] Y, double[] Dx, double[] Dw, double[] Db)
    {
        public IEnumerable<double[]> All => [Y, Dx, Dw, Db];

        public static Grads? Load(string caseDir, string prefix)
        {
            string P(string t) => Path.Combine(caseDir, $"{prefix}_{t}.npy");
            if (!File.Exists(P("y"))) return null;
            return new Grads(Npy.Read(P("y")).Data, Npy.Read(P("dx")).Data, Npy.Read(P("dw")).Data, Npy.Read(P("db")).Data);
        }

        /// <summary>max |a - b| / max |reference|: the largest error in units of the tensor's largest value.</summary>
        public static double Rel(double[] a, double[] b, double[]? reference = null)
        {
            reference ??= b;
            if (a.Length == 0 || b.Length == 0) return 0; // no input gradient computed (--no-input-grad)
            if (a.Length != b.Length) throw new ArgumentException($"tensor sizes differ: {a.Length} and {b.Length}");
            double scale = 0, err = 0;
            foreach (var v in reference) scale = Math.Max(scale, Math.Abs(v));
            for (int i = 0; i < a.Length; i++)
            {
                double d = Math.Abs(a[i] - b[i]);
                if (double.IsNaN(d)) return double.NaN;
                err = Math.Max(err, d);
            }
            return scale == 0 ? err : err / scale;
        }

        public static double MaxRel(Grads a, Grads b) => a.All.Zip(b.All).Max(p => Rel(p.First, p.Second));

        public static double[] Errors(Grads a, Grads reference) => a.All.Zip(reference.All).Select(p => Rel(p.First, p.Second)).ToArray();
    }

    /// <summary>Worst figures of one case over its repetitions.</summary>
    internal sealed class Result(string label, string isa, int threads, int index, ConvCase c, int reps)
    {
        private readonly double[] err = new double[4];      // y, dx, dw, db vs float64 (worst over the repetitions)
        private readonly double[] errT32 = new double[4];   // vs PyTorch 1.13 float32
        private readonly int[] varying = new int[4];        // repetitions not bitwise equal to the first
        private readonly int[] wrong = new int[4];          // repetitions with an error above WrongThreshold (or non-finite)
        private double maxVariation;                        // max |rep - first| / max |float64|
        private int nonFinite;

        public double F64Repeat { get; set; }

        public double F64VsTorch { get; set; } = double.NaN;

        public double[]? Torch32 { get; set; }

        public double MsPerRep { get; set; }

        public void Add(Grads f32, Grads reference, Grads? torch32, Grads? first)
        {
            var a = f32.All.ToArray();
            var r = reference.All.ToArray();
            var t = torch32?.All.ToArray();
            var f = first?.All.ToArray();
            for (int k = 0; k < 4; k++)
            {
                nonFinite += a[k].Count(v => !double.IsFinite(v));
                double e = Grads.Rel(a[k], r[k]);
                if (!(e <= WrongThreshold)) wrong[k]++;
                err[k] = Max(err[k], e);
                if (t is not null) errT32[k] = Max(errT32[k], Grads.Rel(a[k], t[k], r[k]));
                if (f is not null && !a[k].AsSpan().SequenceEqual(f[k]))
                {
                    varying[k]++;
                    maxVariation = Max(maxVariation, Grads.Rel(a[k], f[k], r[k]));
                }
            }
        }

        private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

        /// <summary>An error (in units of the tensor's largest value) this far above float32 rounding (~1e-7 to 1e-5 here) is a wrong result.</summary>
        public const double WrongThreshold = 1e-4;

        public const string Header = "label\tisa\tthreads\tindex\tname\tn\tcin\tcout\th\tk\tstride\treps\tms_per_rep\t" +
            "y_rel\tdx_rel\tdw_rel\tdb_rel\tdx_rel_vs_torch32\tdw_rel_vs_torch32\ttorch32_dx_rel\ttorch32_dw_rel\t" +
            "f64_vs_torch64\tf64_repeat\ty_varying\tdx_varying\tdw_varying\tmax_variation_rel\tnonfinite\ty_wrong\tdx_wrong\tdw_wrong";

        private static string E(double v) => v.ToString("E2", CultureInfo.InvariantCulture);

        public string ToTsv() => string.Join('\t', label, isa, threads, index, c.Name, c.N, c.Cin, c.Cout, c.H, c.K, c.Stride, reps,
            MsPerRep.ToString("F2", CultureInfo.InvariantCulture), E(err[0]), E(err[1]), E(err[2]), E(err[3]), E(errT32[1]), E(errT32[2]),
            Torch32 is null ? "NaN" : E(Torch32[1]), Torch32 is null ? "NaN" : E(Torch32[2]), E(F64VsTorch), E(F64Repeat),
            varying[0], varying[1], varying[2], E(maxVariation), nonFinite, wrong[0], wrong[1], wrong[2]);

        public string ToText() =>
            $"#{index,2} {c.Name,-34} {reps,4} reps {MsPerRep,8:F2} ms  rel err vs f64: y {E(err[0])} dx {E(err[1])} dw {E(err[2])}" +
            (Torch32 is null ? "" : $"  (torch1.13 f32: dx {E(Torch32[1])} dw {E(Torch32[2])})") +
            $"  wrong reps y/dx/dw {wrong[0]}/{wrong[1]}/{wrong[2]}  varying reps {varying[0]}/{varying[1]}/{varying[2]}  non-finite {nonFinite}";
    }
}
