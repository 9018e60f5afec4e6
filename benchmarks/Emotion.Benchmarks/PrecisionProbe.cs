using System.Diagnostics;
using System.Globalization;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core.Data;
using Emotion.Torch.Backbones;
using Emotion.Torch.Training;

namespace Emotion.Benchmarks;

/// <summary>
/// <c>--precision-probe [ROUNDS]</c>: the training step of <see cref="TrainingBenchmarks"/> (ResNet-18 112x112 + GRU-128, 4 x 8
/// frames, <see cref="Trainer"/>, in-memory batches) in float32 and in bfloat16, alternating, ROUNDS times (default 4) after one
/// warm-up round, with the wall time and this process's CPU time per frame. On a shared machine the CPU time is the steadier
/// measure of the work itself (it does not grow while the process waits for a core; spinning does count); the medians and the
/// per-round ratios are printed. Not a BenchmarkDotNet case: it exists to separate compute from contention (docs/training.md).
/// </summary>
public static class PrecisionProbe
{
    private const int Batch = 4, Frames = 8, Steps = 2;

    /// <summary>Runs the probe and prints its table.</summary>
    public static void Run(int rounds)
    {
        BenchmarkModels.Prepare();
        using var model = BenchmarkModels.Library(BackboneNames.ResNet18, "gru", Frames, BenchmarkDevice.Cpu);
        var batches = Enumerable.Range(0, Steps).Select(i => BenchmarkData.RandomBatch(Batch, Frames, BenchmarkModels.Size, seed: i)).ToList();
        TrainingPrecision[] precisions = [TrainingPrecision.Float32, TrainingPrecision.BFloat16];
        var wall = precisions.ToDictionary(p => p, _ => new List<double>());
        var cpu = precisions.ToDictionary(p => p, _ => new List<double>());
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"precision probe: {Steps} steps of {Batch} x {Frames} frames per measurement, {BenchmarkScope.Threads} libtorch threads, {rounds} rounds + 1 warm-up");
        Console.WriteLine($"convolution self-check: {Emotion.Torch.TorchNativeSettings.ConvolutionCheck?.ToString() ?? "skipped (EMOTION_CONV_SELF_CHECK=0)"}");
        for (int round = 0; round <= rounds; round++)
        {
            foreach (var precision in precisions)
            {
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                using (var trainer = new Trainer(model, new TrainerOptions { Epochs = 1, Seed = null, MonitorMetric = MonitorMetric.Loss, Precision = precision }))
                {
                    if (round == 0) Console.WriteLine($"{precision} convolution check: {trainer.ConvolutionCheck?.ToString() ?? "none"}; backward on oneDNN: {trainer.BackwardOnOneDnn}");
                    trainer.Fit(BatchSource.FromBatches(batches));
                }
                clock.Stop();
                process.Refresh();
                double frames = Steps * Batch * Frames;
                double wallMs = clock.Elapsed.TotalMilliseconds / frames, cpuMs = (process.TotalProcessorTime - cpu0).TotalMilliseconds / frames;
                if (round > 0)
                {
                    wall[precision].Add(wallMs);
                    cpu[precision].Add(cpuMs);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(round == 0 ? "warm-up" : "round " + round),-8} {precision,-9} {1000 / wallMs,7:F1} frames/s  {wallMs,7:F1} ms/frame wall  {cpuMs,7:F1} CPU-ms/frame  load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }
        }
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var f32 = TrainingPrecision.Float32;
        var b16 = TrainingPrecision.BFloat16;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median  float32 {1000 / Median(wall[f32]):F1} frames/s, {Median(cpu[f32]):F1} CPU-ms/frame; bfloat16 {1000 / Median(wall[b16]):F1} frames/s, {Median(cpu[b16]):F1} CPU-ms/frame"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bf16 speed-up per round (float32 time / bfloat16 time): wall {string.Join(", ", wall[f32].Zip(wall[b16], (a, b) => (a / b).ToString("F2", CultureInfo.InvariantCulture)))}; " +
            $"CPU {string.Join(", ", cpu[f32].Zip(cpu[b16], (a, b) => (a / b).ToString("F2", CultureInfo.InvariantCulture)))}"));
    }
}
