using Emotion.Cli.Workflows.Benchmarking;

namespace Emotion.Cli.Workflows;

/// <summary>What <see cref="BenchmarkWorkflow.Run"/> measured.</summary>
/// <param name="Results">One timing per available backend, device and mode, in the order measured.</param>
/// <param name="Unavailable">Each backend and device that could not run, with the reason (for example "ONNX Runtime cuda: ...").</param>
public sealed record BenchmarkReport(IReadOnlyList<ThroughputResult> Results, IReadOnlyList<string> Unavailable)
{
    /// <summary>The result with the most frames per second, or null when nothing ran.</summary>
    public ThroughputResult? Fastest => Results.Count == 0 ? null : Results.MaxBy(r => r.FramesPerSecond);
}
