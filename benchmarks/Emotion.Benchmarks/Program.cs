using BenchmarkDotNet.Running;
using Emotion.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/Emotion.Benchmarks -- [--short | --dry] [--threads N] [BenchmarkDotNet arguments, e.g. --filter '*Inference*']
// --short: 2 warm-up and 5 measured iterations per case, in this process, ResNet-18 + GRU only (see docs/benchmarks.md).
// --dry: every case of the full grid called once, in this process (checks that the grid runs; the times mean little).
// --threads N: CPU threads of libtorch and ONNX Runtime (default: the core count).
// --backbones a,b: the model benchmarks' backbones instead of the scope's (short: resnet18; full: small_cnn, resnet18, mobilenet_v3_small).
// --onednn forward|off|both: oneDNN for forward passes (the library's default), off everywhere, or both as a parameter of the
//   training and inference benchmarks (docs/troubleshooting.md).
// --int8-report DEMO_DIR [REAL_FACES_DIR] [ASSETS_DIR]: int8 vs fp32 figures of the demo's models and the default real-face model (docs/onnx-export.md).
// --int8-profile [CHECKPOINT]: ONNX Runtime's kernel time per operator, fp32 and int8, of the ResNet-18 + GRU benchmark model (or a checkpoint).
// --precision-probe [ROUNDS]: float32 vs bfloat16 training, wall and CPU time per frame, alternating rounds (PrecisionProbe); no BenchmarkDotNet run.
if (args.Length > 0 && args[0] == "--int8-report")
{
    if (args.Length < 2) { Console.Error.WriteLine("--int8-report needs the demo's output folder (emotion demo --out DIR)."); return 2; }
    string faces = args.Length > 2 ? args[2] : Path.Combine("tests", "Emotion.Torch.Tests", "Fixtures", "RealFaces");
    string assets = args.Length > 3 ? args[3] : Emotion.Core.IO.AssetCache.DefaultDirectory;
    return Int8Report.Run(args[1], faces, assets, seconds: 10);
}
if (args.Length > 0 && args[0] == "--int8-profile") return Int8Report.Profile(calls: 20, checkpoint: args.Length > 1 ? args[1] : null);
var rest = new List<string>();
int? probeRounds = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--precision-probe")
        probeRounds = i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0 ? int.Parse(args[++i]) : 4;
    else if (args[i] == "--short") Environment.SetEnvironmentVariable(BenchmarkScope.ShortVariable, "1");
    else if (args[i] == "--dry") ThroughputConfig.Mode = BenchmarkMode.Dry;
    else if (args[i] == "--onednn" && i + 1 < args.Length && args[i + 1] is "both" or "off" or "forward")
        Environment.SetEnvironmentVariable(BenchmarkScope.OneDnnVariable, args[++i]);
    else if (args[i] == "--onednn")
    {
        Console.Error.WriteLine($"--onednn needs forward, off or both; got '{(i + 1 < args.Length ? args[i + 1] : "")}'.");
        return 2;
    }
    else if (args[i] == "--backbones" && i + 1 < args.Length && BenchmarkScope.ParseBackbones(args[i + 1]) is { } names)
    {
        Environment.SetEnvironmentVariable(BenchmarkScope.BackbonesVariable, string.Join(',', names));
        i++;
    }
    else if (args[i] == "--backbones")
    {
        Console.Error.WriteLine($"--backbones needs a comma-separated list of {string.Join(", ", BenchmarkScope.KnownBackbones)}; got '{(i + 1 < args.Length ? args[i + 1] : "")}'.");
        return 2;
    }
    else if (args[i] == "--threads" && i + 1 < args.Length && int.TryParse(args[i + 1], out int threads) && threads > 0)
        Environment.SetEnvironmentVariable(BenchmarkScope.ThreadsVariable, args[++i].Trim());
    else if (args[i] == "--threads")
    {
        Console.Error.WriteLine($"--threads needs a positive number; got '{(i + 1 < args.Length ? args[i + 1] : "")}'.");
        return 2;
    }
    else rest.Add(args[i]);
}
if (probeRounds is { } rounds)
{
    PrecisionProbe.Run(rounds);
    return 0;
}
if (BenchmarkScope.IsShort) ThroughputConfig.Mode = BenchmarkMode.Short;
Console.WriteLine($"mode: {ThroughputConfig.Mode.ToString().ToLowerInvariant()}; {BenchmarkScope.Threads} CPU threads for libtorch and ONNX Runtime; " +
                  $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset)"}");
foreach (var line in DeviceFilter.SkippedReasons()) Console.WriteLine(line);
BenchmarkSwitcher.FromAssembly(typeof(ThroughputConfig).Assembly).Run([.. rest], new ThroughputConfig());
return 0;
