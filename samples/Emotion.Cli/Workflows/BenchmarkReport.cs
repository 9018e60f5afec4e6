using Emotion.Cli.Workflows.Benchmarking;

namespace Emotion.Cli.Workflows;

/// <summary>What <see cref="BenchmarkWorkflow.Run"/> measured.</summary>
/// <param name="Results">One timing per available backend, device and mode, in the order measured.</param>
/// <param name="Unavailable">Each backend, device and precision that could not run, with the reason (for example "ONNX Runtime cuda: ...").</param>
public sealed record BenchmarkReport(IReadOnlyList<ThroughputResult> Results, IReadOnlyList<string> Unavailable)
{
    /// <summary>Remarks on rows that ran but mean something other than speed (for example float16 on a CPU without float16 kernels).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The float32 row of the same backend, device and mode as <paramref name="result"/>, or null.</summary>
    public ThroughputResult? Float32Of(ThroughputResult result) =>
        Results.FirstOrDefault(r => r.Precision == BenchmarkPrecision.Fp32 && r.Backend == result.Backend && r.Device == result.Device && r.Mode == result.Mode);

    /// <summary>The result with the most frames per second, or null when nothing ran.</summary>
    public ThroughputResult? Fastest => Results.Count == 0 ? null : Results.MaxBy(r => r.FramesPerSecond);
}
