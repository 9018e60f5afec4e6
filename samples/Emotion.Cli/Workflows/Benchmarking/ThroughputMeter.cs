using System.Diagnostics;

namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>
/// A quick throughput measurement with <see cref="Stopwatch"/> (not BenchmarkDotNet): a warm-up (at least <see cref="WarmupCalls"/> calls,
/// which pay for lazy initialisation, and at least a fifth of the duration), then calls timed one by one until the duration
/// has passed and at least <see cref="MinimumCalls"/> were timed. The median call time is reported, which a busy machine
/// disturbs less than the mean.
/// </summary>
public static class ThroughputMeter
{
    /// <summary>The fewest warm-up calls, whatever the duration (libtorch's first calls on a new shape are several times slower).</summary>
    public const int WarmupCalls = 3;

    /// <summary>The fewest timed calls, whatever the duration.</summary>
    public const int MinimumCalls = 3;

    /// <summary>Warms up and times <paramref name="runner"/>.</summary>
    /// <param name="runner">The prepared backend.</param>
    /// <param name="duration">How long to time calls (the warm-up adds a fifth).</param>
    /// <param name="cancellationToken">Stops between calls.</param>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive.</exception>
    public static ThroughputResult Measure(IInferenceRunner runner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        if (duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "The measuring time must be positive.");
        var clock = Stopwatch.StartNew();
        for (int calls = 0; calls < WarmupCalls || clock.Elapsed < duration / 5; calls++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            runner.Run();
        }

        var times = new List<double>();
        clock.Restart();
        while (times.Count < MinimumCalls || clock.Elapsed < duration)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            runner.Run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new ThroughputResult(runner.Backend, runner.Device, runner.Mode, runner.BatchSize, runner.SequenceLength,
            times.Count, Median(times), times.Average());
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the two middle values for an even count).</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
