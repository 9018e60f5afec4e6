using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Emotion.Benchmarks;

/// <summary>
/// Benchmark configuration: frames per second next to the time per frame (every benchmark sets OperationsPerInvoke to
/// the frames it processes), and a short job when <see cref="Short"/> is set (<c>--short</c> on the command line).
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    /// <summary>Whether to run the short job (1 warm-up, 3 measured iterations) instead of BenchmarkDotNet's default.</summary>
    public static bool Short { get; set; }

    /// <summary>Creates the configuration.</summary>
    public ThroughputConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Short
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1).WithId("short")
            : Job.Default.WithInvocationCount(1).WithUnrollFactor(1).WithMinIterationCount(5).WithMaxIterationCount(15));
        AddColumn(new FramesPerSecondColumn());
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }

    private sealed class FramesPerSecondColumn : IColumn
    {
        public string Id => "FramesPerSecond";
        public string ColumnName => "Frames/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Frames processed per second";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var mean = report?.ResultStatistics?.Mean;
            // Mean is per operation; a benchmark whose call handles a parameterised number of frames names it FramesPerCall.
            double frames = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "FramesPerCall")?.Value is int n ? n : 1;
            return mean is > 0 ? (frames * 1e9 / mean.Value).ToString("N1", System.Globalization.CultureInfo.InvariantCulture) : "-";
        }
    }
}
