namespace Emotion.Benchmarks;

/// <summary>How thoroughly the benchmarks run (see <see cref="ThroughputConfig"/>).</summary>
public enum BenchmarkMode
{
    /// <summary>BenchmarkDotNet's statistics: 5 to 15 measured iterations per case, each case in its own process.</summary>
    Full,

    /// <summary><c>--short</c>: ResNet-18 + GRU only, 2 warm-up and 5 measured iterations per case, in this process.</summary>
    Short,

    /// <summary><c>--dry</c>: the whole grid, each case called once in this process (a check that every case runs, not a measurement).</summary>
    Dry,
}
