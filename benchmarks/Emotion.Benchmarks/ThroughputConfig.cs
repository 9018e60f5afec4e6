using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Emotion.Benchmarks;

/// <summary>
/// Benchmark configuration: frames per second next to the time per frame (every benchmark sets OperationsPerInvoke to
/// the frames it processes, so one operation is one frame), the <see cref="DeviceFilter"/> (CUDA cases only where CUDA works), and the job of
/// <see cref="Mode"/>: 5 to 15 iterations in a separate process by default; with <c>--short</c> 2 warm-up and 5 measured
/// iterations run in this process (no per-benchmark build and process launch), which keeps the short run within minutes;
/// with <c>--dry</c> one untimed-quality call per case in this process, to check that every case of the grid runs.
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    /// <summary>Which job to run.</summary>
    public static BenchmarkMode Mode { get; set; }

    // The in-process toolchain gives up on a case after 5 minutes by default; on a busy shared machine one case of the training
    // benchmark (7 invocations of 128 frames) takes longer than that.
    private static readonly InProcessEmitToolchain LongInProcess = new(TimeSpan.FromMinutes(60), logOutput: true);

    /// <summary>Creates the configuration.</summary>
    public ThroughputConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Mode switch
        {
            BenchmarkMode.Short => Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1)
                .WithToolchain(LongInProcess).WithId("short"),
            BenchmarkMode.Dry => Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("dry"),
            _ => Job.Default.WithInvocationCount(1).WithUnrollFactor(1).WithMinIterationCount(5).WithMaxIterationCount(15),
        });
        AddColumn(new FramesPerSecondColumn());
        AddFilter(new DeviceFilter());
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
            // Mean is in nanoseconds per operation, and every benchmark's operation is one frame.
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is > 0 ? (1e9 / mean.Value).ToString("N1", System.Globalization.CultureInfo.InvariantCulture) : "-";
        }
    }
}
