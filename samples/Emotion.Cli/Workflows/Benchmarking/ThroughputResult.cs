namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>The timing of one backend: how many calls were timed and the median time of one call.</summary>
/// <param name="Backend">The backend (one of <see cref="BackendNames"/>).</param>
/// <param name="Device">Where it ran.</param>
/// <param name="Mode">Batch or stream.</param>
/// <param name="BatchSize">Sequences per call.</param>
/// <param name="SequenceLength">Frames per sequence per call.</param>
/// <param name="Calls">Timed calls (after the warm-up).</param>
/// <param name="MedianMilliseconds">The median time of one call, in milliseconds.</param>
/// <param name="MeanMilliseconds">The mean time of one call, in milliseconds.</param>
public sealed record ThroughputResult(string Backend, BenchmarkDevice Device, InferenceMode Mode, int BatchSize, int SequenceLength,
    int Calls, double MedianMilliseconds, double MeanMilliseconds)
{
    /// <summary>The precision the model ran in (float32 unless set).</summary>
    public BenchmarkPrecision Precision { get; init; } = BenchmarkPrecision.Fp32;

    /// <summary>Frames processed by one call.</summary>
    public int FramesPerCall => BatchSize * SequenceLength;

    /// <summary>Frames per second at the median call time: <c>FramesPerCall x 1000 / MedianMilliseconds</c>.</summary>
    public double FramesPerSecond => FramesPerCall * 1000.0 / MedianMilliseconds;

    /// <summary>This call time relative to <paramref name="fastest"/>'s, both per frame (1 for the fastest, 2 for half its throughput).</summary>
    public double RatioTo(ThroughputResult fastest) => fastest.FramesPerSecond / FramesPerSecond;
}
