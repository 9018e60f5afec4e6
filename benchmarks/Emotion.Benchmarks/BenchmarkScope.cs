using Emotion.Torch.Backbones;

namespace Emotion.Benchmarks;

/// <summary>
/// Which models the benchmarks cover: every backbone x head by default; with <c>--short</c> (environment variable
/// <c>EMOTION_BENCH_SHORT=1</c>) only the reference model of the issues, ResNet-18 + GRU, so the short run stays within minutes.
/// </summary>
public static class BenchmarkScope
{
    /// <summary>Environment variable that selects the short scope.</summary>
    public const string ShortVariable = "EMOTION_BENCH_SHORT";

    /// <summary>Whether the short scope is selected.</summary>
    public static bool IsShort => Environment.GetEnvironmentVariable(ShortVariable) == "1";

    /// <summary>Backbones to benchmark.</summary>
    public static IEnumerable<string> Backbones => IsShort ? [BackboneNames.ResNet18] : [BackboneNames.ResNet18, BackboneNames.MobileNetV3Small];

    /// <summary>Recurrent heads to benchmark.</summary>
    public static IEnumerable<string> Heads => IsShort ? ["gru"] : ["gru", "lstm", "none"];
}
