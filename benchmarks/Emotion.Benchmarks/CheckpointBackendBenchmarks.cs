using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Preprocessing.Frames;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Benchmarks;

/// <summary>
/// One saved checkpoint (112x112, combined task) predicted over a video of <see cref="Frames"/> in-memory 112x112 frames by
/// <see cref="CheckpointPredictor"/> on its two backends: TorchSharp (baseline: <c>FrameSequencePredictor</c>) and ONNX
/// Runtime on the in-memory export (what <c>emotion predict --backend auto</c> picks). Both include the frames' conversion to
/// normalised floats and run chunks of <see cref="ChunkSize"/> frames with the state carried, so the time per operation is
/// the time per frame a user of a checkpoint sees. The one-time export and session start is printed by the setup.
/// </summary>
public class CheckpointBackendBenchmarks
{
    private const int Frames = 32;

    private string? folder;
    private CheckpointPredictor? torchPredictor, onnxPredictor;
    private List<NumberedFrame>? video;
    private readonly List<Image<Rgb24>> images = [];

    /// <summary>Frames per forward pass (the CLI's default is 32).</summary>
    [Params(32)]
    public int ChunkSize { get; set; } = 32;

    /// <summary>TorchVision backbone or the small CNN.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Backbones))]
    public string Backbone { get; set; } = Emotion.Torch.Backbones.BackboneNames.ResNet18;

    /// <summary>Recurrent head.</summary>
    [ParamsSource(typeof(BenchmarkScope), nameof(BenchmarkScope.Heads))]
    public string Head { get; set; } = "gru";

    /// <summary>Saves a checkpoint, loads it on both backends and makes the frames.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        folder = Path.Combine(Path.GetTempPath(), $"emotion-bench-ckpt-{Backbone}-{Head}-{Guid.NewGuid():N}");
        using (var model = BenchmarkModels.Library(Backbone, Head, 8, Emotion.Cli.Workflows.Benchmarking.BenchmarkDevice.Cpu)) model.Save(folder);
        torchPredictor = CheckpointPredictor.Load(folder, new CheckpointPredictorOptions { Backend = InferenceBackend.Torch, ChunkSize = ChunkSize });
        var clock = Stopwatch.StartNew();
        onnxPredictor = CheckpointPredictor.Load(folder, new CheckpointPredictorOptions
        {
            Backend = InferenceBackend.OnnxRuntime,
            ChunkSize = ChunkSize,
            Onnx = new EmotionPredictorOptions { IntraOpThreads = BenchmarkScope.Threads },
        });
        Console.WriteLine($"// checkpoint load + in-memory export + ONNX Runtime session: {clock.Elapsed.TotalMilliseconds:F0} ms ({Backbone} + {Head})");
        var random = new Random(1);
        video = [];
        for (int i = 1; i <= Frames; i++)
        {
            var pixels = new byte[BenchmarkModels.Size * BenchmarkModels.Size * 3];
            random.NextBytes(pixels);
            var image = Image.LoadPixelData<Rgb24>(pixels, BenchmarkModels.Size, BenchmarkModels.Size);
            images.Add(image);
            video.Add(new NumberedFrame(i, new InMemoryFrameSource(image, $"frame {i}")));
        }
    }

    /// <summary>The checkpoint on TorchSharp (<c>--backend torch</c>).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public float Torch() => Sum(torchPredictor!);

    /// <summary>The checkpoint on ONNX Runtime through the in-memory export (<c>--backend onnx</c>, and auto's choice).</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public float OnnxRuntimeInMemoryExport() => Sum(onnxPredictor!);

    private float Sum(CheckpointPredictor predictor)
    {
        float sum = 0;
        foreach (var p in predictor.Predict(video!)) sum += p.Valence ?? 0;
        return sum;
    }

    /// <summary>Releases the predictors, frames and checkpoint.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        torchPredictor?.Dispose();
        onnxPredictor?.Dispose();
        foreach (var image in images) image.Dispose();
        if (folder is not null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
