using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;

namespace Emotion.Benchmarks;

/// <summary>
/// Which models and devices the benchmarks cover: every backbone (small CNN, ResNet-18, MobileNetV3-Small) x head (GRU, LSTM,
/// none) x device (CPU, CUDA) by default; with <c>--short</c> (environment variable <c>EMOTION_BENCH_SHORT=1</c>) only the
/// reference model of the issues, ResNet-18 + GRU, so the short run stays within minutes. CUDA cases are listed here and
/// removed by <see cref="DeviceFilter"/> when the backend cannot run on a GPU in this process.
/// </summary>
public static class BenchmarkScope
{
    /// <summary>Environment variable that selects the short scope.</summary>
    public const string ShortVariable = "EMOTION_BENCH_SHORT";

    /// <summary>Environment variable with the CPU threads of libtorch and ONNX Runtime (default: the core count).</summary>
    public const string ThreadsVariable = "EMOTION_BENCH_THREADS";

    /// <summary>CPU threads given to libtorch and ONNX Runtime alike (<c>--threads N</c>, default <see cref="Environment.ProcessorCount"/>).</summary>
    public static int Threads => int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>Whether the short scope is selected.</summary>
    public static bool IsShort => Environment.GetEnvironmentVariable(ShortVariable) == "1";

    /// <summary>Environment variable (<c>--backbones a,b</c>) with the backbones to benchmark instead of the scope's.</summary>
    public const string BackbonesVariable = "EMOTION_BENCH_BACKBONES";

    /// <summary>The backbones the plain TorchSharp twins exist for (<see cref="PlainTorchSharpModel"/>).</summary>
    public static readonly string[] KnownBackbones = [BackboneNames.SmallCnn, BackboneNames.ResNet18, BackboneNames.MobileNetV3Small];

    /// <summary>Backbones to benchmark: <c>--backbones</c>, else ResNet-18 in the short scope, else <see cref="KnownBackbones"/>.</summary>
    public static IEnumerable<string> Backbones =>
        ParseBackbones(Environment.GetEnvironmentVariable(BackbonesVariable)) ?? (IsShort ? [BackboneNames.ResNet18] : KnownBackbones);

    /// <summary>A comma-separated list of <see cref="KnownBackbones"/>, or null when it is empty or names another.</summary>
    public static string[]? ParseBackbones(string? list)
    {
        var names = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 && names.All(KnownBackbones.Contains) ? names : null;
    }

    /// <summary>Recurrent heads to benchmark.</summary>
    public static IEnumerable<string> Heads => IsShort ? ["gru"] : HeadSpec.Names;

    /// <summary>Environment variable (<c>--onednn both</c>) that adds the <c>off</c> oneDNN mode to the training and inference benchmarks.</summary>
    public const string OneDnnVariable = "EMOTION_BENCH_ONEDNN";

    /// <summary>oneDNN modes of <see cref="ModelBenchmark.OneDnn"/>: <c>forward</c> (the library's default), and <c>off</c> with
    /// <c>--onednn both</c> (compare them in one run; <c>--onednn off</c> for off alone).</summary>
    public static IEnumerable<string> OneDnnModes => Environment.GetEnvironmentVariable(OneDnnVariable) switch
    {
        "both" => ["forward", "off"],
        "off" => ["off"],
        _ => ["forward"],
    };

    /// <summary>Devices to benchmark (the unavailable ones are filtered out with a printed reason).</summary>
    public static IEnumerable<BenchmarkDevice> Devices => [BenchmarkDevice.Cpu, BenchmarkDevice.Cuda];
}
