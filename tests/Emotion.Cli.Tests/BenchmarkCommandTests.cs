using System.Globalization;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using Emotion.Testing;

namespace Emotion.Cli.Tests;

public sealed class BenchmarkCommandTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-cli-benchmark-");
    private string root => temp.Path;

    public void Dispose() => temp.Dispose();

    /// <summary>The table's rows as (backend, device, mode, frames/s, ms per call, vs fastest, calls, precision, vs fp32) cells.</summary>
    private static List<string[]> Rows(string output) =>
        output.Split('\n')
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length == 11 && cells[1] is BackendNames.TorchSharp or BackendNames.OnnxRuntime)
            .Select(cells => new[] { cells[1], cells[2], cells[4], cells[5], cells[6], cells[8], cells[9], cells[3], cells[7] })
            .ToList();

    private static double Number(string cell) => double.Parse(cell.TrimEnd('x'), NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static void AssertConsistentRow(string[] row)
    {
        double framesPerSecond = Number(row[3]), msPerCall = Number(row[4]), ratio = Number(row[5]);
        int framesPerCall = row[2].StartsWith("batch ", StringComparison.Ordinal)
            ? row[2]["batch ".Length..].Split('x').Select(int.Parse).Aggregate(1, (a, b) => a * b)
            : 1;
        Assert.True(framesPerSecond > 0, string.Join(" | ", row));
        // frames/s and ms per call are both printed from the median call time (rounded to 0.1 and to 0.001 below 10 ms, 0.01 above).
        double msRounding = msPerCall < 10 ? 0.0005 : 0.005;
        Assert.Equal(framesPerCall * 1000.0 / msPerCall, framesPerSecond, framesPerSecond * msRounding / msPerCall * 1.01 + 0.05);
        Assert.True(ratio >= 1.0, string.Join(" | ", row));
    }

    private EmotionModel SmallModel() => EmotionModel.Create()
        .WithInput(4, 32)
        .WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
        .WithRecurrentHead(HeadSpec.FromName("lstm", 16))
        .ForTask(EmotionTask.Combined)
        .WithSeed(1)
        .Build();

    [Fact]
    public void FreshSmallCnnListsTorchsharpAndOnnxRuntimeWithPositiveFramesPerSecond()
    {
        var result = CliRunner.Run("benchmark", "--backbone", "small_cnn", "--head", "gru", "--size", "32", "--batch", "2", "--frames", "4", "--seconds", "0.25");
        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = Rows(result.Output);
        foreach (var backend in new[] { BackendNames.TorchSharp, BackendNames.OnnxRuntime })
        {
            Assert.Contains(rows, r => r[0] == backend && r[1] == "cpu" && r[2] == "batch 2x4");
            Assert.Contains(rows, r => r[0] == backend && r[1] == "cpu" && r[2] == "stream, 1 frame");
        }
        foreach (var row in rows) AssertConsistentRow(row);
        Assert.Contains(rows, r => r[5] == "1.00x");
        if (!torch.cuda.is_available())
        {
            Assert.DoesNotContain(rows, r => r[0] == BackendNames.TorchSharp && r[1] == "cuda");
            Assert.Contains("unavailable: TorchSharp cuda: torch.cuda.is_available() is false", result.Output);
        }
    }

    [Fact]
    public void OnnxFileMeasuresOnnxRuntimeOnlyAndACheckpointMeasuresBoth()
    {
        using var model = SmallModel();
        string checkpoint = Path.Combine(root, "checkpoint");
        model.Save(checkpoint);
        string onnx = Path.Combine(root, "model.onnx");
        OnnxExporter.Export(model, onnx);

        var fromOnnx = CliRunner.Run("benchmark", "--model", onnx, "--batch", "1", "--frames", "3", "--seconds", "0.2");
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        var rows = Rows(fromOnnx.Output);
        Assert.Contains(rows, r => r[0] == BackendNames.OnnxRuntime && r[2] == "batch 1x3");
        Assert.DoesNotContain(rows, r => r[0] == BackendNames.TorchSharp);
        Assert.Contains("unavailable: TorchSharp cpu: an .onnx file has no TorchSharp model", fromOnnx.Output);
        foreach (var row in rows) AssertConsistentRow(row);

        var fromCheckpoint = CliRunner.Run("benchmark", "--model", checkpoint, "--batch", "1", "--frames", "3", "--seconds", "0.2");
        Assert.True(fromCheckpoint.ExitCode == 0, fromCheckpoint.ToString());
        rows = Rows(fromCheckpoint.Output);
        Assert.Contains(rows, r => r[0] == BackendNames.TorchSharp && r[2] == "batch 1x3");
        Assert.Contains(rows, r => r[0] == BackendNames.OnnxRuntime && r[2] == "stream, 1 frame");
    }

    [Fact]
    public void PrecisionListPutsInt8AndFp16RowsInTheOneTableAndListsWhatCannotRun()
    {
        var result = CliRunner.Run("benchmark", "--backbone", "small_cnn", "--head", "gru", "--size", "32", "--batch", "2", "--frames", "4",
            "--seconds", "0.2", "--precision", "fp32, int8,fp16,bf16");
        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = Rows(result.Output);
        foreach (var row in rows) AssertConsistentRow(row);
        foreach (string precision in new[] { "fp32", "int8", "fp16" })
            foreach (string mode in new[] { "batch 2x4", "stream, 1 frame" })
                Assert.Contains(rows, r => r[0] == BackendNames.OnnxRuntime && r[1] == "cpu" && r[7] == precision && r[2] == mode);
        Assert.Contains(rows, r => r[0] == BackendNames.TorchSharp && r[1] == "cpu" && r[7] == "fp32");
        // 'vs fp32' is 1.00x on the fp32 rows and frames/s over the fp32 row's frames/s on the others.
        foreach (var row in rows)
        {
            var fp32 = rows.Single(r => r[0] == row[0] && r[1] == row[1] && r[2] == row[2] && r[7] == "fp32");
            Assert.Equal(Number(row[3]) / Number(fp32[3]), Number(row[8]), 0.006 + Number(row[8]) * 0.002);
        }
        Assert.Contains("unavailable: TorchSharp cpu int8: TorchSharp has no int8 inference path", result.Output);
        Assert.Contains("unavailable: TorchSharp cpu fp16: libtorch's CPU float16", result.Output);
        Assert.Contains("unavailable: ONNX Runtime cpu bf16: there is no bfloat16 ONNX conversion", result.Output);
        Assert.Contains("note: ONNX Runtime cpu fp16: the CPU provider has no float16", result.Output);
        if (Emotion.Torch.CpuFeatures.NativeBFloat16 == true)
            Assert.Contains(rows, r => r[0] == BackendNames.TorchSharp && r[1] == "cpu" && r[7] == "bf16");
        else
            Assert.Contains("unavailable: TorchSharp cpu bf16: this CPU has no native bfloat16", result.Output);
    }

    [Theory]
    [InlineData("fp8")]
    [InlineData("fp32,")]
    [InlineData("")]
    [InlineData("int4,fp16")]
    public void BadPrecisionIsAUsageErrorNamingTheOption(string value)
    {
        var result = CliRunner.Run("benchmark", "--backbone", "small_cnn", "--size", "32", "--seconds", "0.1", "--precision", value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--precision", result.Error);
        Assert.Contains("fp32, int8, fp16, bf16", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void BenchmarkIsListedAndHasHelp()
    {
        Assert.Contains("benchmark", CliRunner.Run("--help").Output);
        var help = CliRunner.Run("benchmark", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--model", "--backbone", "--head", "--size", "--batch", "--frames", "--threads", "--seconds", "--precision" })
            Assert.Contains(option, help.Output);
    }

    [Fact]
    public void MissingModelFileIsAUsageErrorNamingIt()
    {
        string missing = Path.Combine(root, "nothing-here.onnx");
        var result = CliRunner.Run("benchmark", "--model", missing, "--seconds", "0.1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--model", result.Error);
        Assert.Contains(missing, result.Error);
        Assert.Contains("does not exist", result.Error);
    }

    [Fact]
    public void UnknownBackboneIsAUsageErrorListingTheValidOnes()
    {
        var result = CliRunner.Run("benchmark", "--backbone", "alexnet", "--seconds", "0.1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown backbone 'alexnet'", result.Error);
        Assert.Contains("small_cnn", result.Error);
    }

    [Fact]
    public void UnknownHeadAndNonPositiveValuesAreUsageErrors()
    {
        var head = CliRunner.Run("benchmark", "--head", "rnn");
        Assert.Equal(2, head.ExitCode);
        Assert.Contains("rnn", head.Error);
        var seconds = CliRunner.Run("benchmark", "--backbone", "small_cnn", "--seconds", "0");
        Assert.Equal(2, seconds.ExitCode);
        Assert.Contains("--seconds", seconds.Error);
        var batch = CliRunner.Run("benchmark", "--backbone", "small_cnn", "--batch", "0");
        Assert.Equal(2, batch.ExitCode);
        Assert.Contains("--batch", batch.Error);
    }

    [Fact]
    public void AFileThatIsNotOnnxFailsWithExit1NamingIt()
    {
        string corrupt = Path.Combine(root, "corrupt.onnx");
        File.WriteAllText(corrupt, "not a protobuf");
        var result = CliRunner.Run("benchmark", "--model", corrupt, "--seconds", "0.1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(corrupt, result.Error);
    }

    [Fact]
    public void MeterTimesCallsAfterTheWarmupAndReportsTheMedian()
    {
        // A runner that sleeps 20 ms per call and handles 5 frames: at most 5 / 0.020 = 250 frames/s, and Sleep rarely
        // overshoots by more than a few milliseconds, so the median lies in [20, 60] ms.
        using var runner = new SleepingRunner(TimeSpan.FromMilliseconds(20));
        var result = ThroughputMeter.Measure(runner, TimeSpan.FromMilliseconds(300));
        Assert.Equal(BackendNames.OnnxRuntime, result.Backend);
        Assert.Equal(5, result.FramesPerCall);
        Assert.True(result.Calls >= ThroughputMeter.MinimumCalls);
        Assert.True(runner.Calls >= result.Calls + ThroughputMeter.WarmupCalls, $"{runner.Calls} calls, {result.Calls} timed");
        Assert.InRange(result.MedianMilliseconds, 20, 60);
        Assert.InRange(result.FramesPerSecond, 5 * 1000.0 / 60, 250);
        Assert.Equal(5 * 1000.0 / result.MedianMilliseconds, result.FramesPerSecond, 9);
        Assert.True(result.Calls <= 300 / 20 + 1, $"{result.Calls} calls of at least 20 ms within 300 ms");
    }

    [Fact]
    public void MedianAndRatioFollowTheirDefinitions()
    {
        Assert.Equal(2, ThroughputMeter.Median([3, 1, 2]));
        Assert.Equal(2.5, ThroughputMeter.Median([4, 1, 3, 2]));
        Assert.Throws<ArgumentException>(() => ThroughputMeter.Median([]));
        var fast = new ThroughputResult(BackendNames.OnnxRuntime, BenchmarkDevice.Cpu, InferenceMode.Batch, 4, 8, 10, MedianMilliseconds: 100, MeanMilliseconds: 110);
        var slow = fast with { Backend = BackendNames.TorchSharp, MedianMilliseconds = 250 };
        Assert.Equal(320, fast.FramesPerSecond, 9);
        Assert.Equal(128, slow.FramesPerSecond, 9);
        Assert.Equal(2.5, slow.RatioTo(fast), 9);
        Assert.Equal(1, fast.RatioTo(fast), 9);
    }

    private sealed class SleepingRunner(TimeSpan delay) : IInferenceRunner
    {
        public int Calls { get; private set; }
        public string Backend => BackendNames.OnnxRuntime;
        public BenchmarkDevice Device => BenchmarkDevice.Cpu;
        public InferenceMode Mode => InferenceMode.Batch;
        public int BatchSize => 1;
        public int SequenceLength => 5;

        public float Run()
        {
            Calls++;
            Thread.Sleep(delay);
            return Calls;
        }

        public void Dispose() { }
    }
}
