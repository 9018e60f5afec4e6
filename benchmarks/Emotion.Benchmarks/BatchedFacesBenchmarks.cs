using BenchmarkDotNet.Attributes;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Benchmarks;

/// <summary>
/// Several faces in every frame of a video (the <c>VideoEmotionPredictor</c> all-faces case): <see cref="Faces"/> tracks of
/// 112x112 face crops pushed frame by frame into their own <see cref="EmotionStream"/>s of <see cref="ChunkSize"/> frames.
/// Baseline: one ONNX Runtime call per face and chunk (<see cref="EmotionStreamGroup"/> with <c>batched: false</c>, what
/// <c>VideoPredictionOptions.BatchFaces = false</c> does). Batched: the faces' chunks in one call, states stacked. The time
/// per operation is per video frame (all its faces).
/// </summary>
public class BatchedFacesBenchmarks : ModelBenchmark
{
    private const int Frames = 16;

    private EmotionModel? model;
    private EmotionPredictor? predictor;
    private List<Image<Rgb24>>? crops;
    private string? onnxPath;

    /// <summary>Faces per frame.</summary>
    [Params(3)]
    public int Faces { get; set; }

    /// <summary>Frames per run of each face's stream (1: live, one frame per call; 16: the default chunk). With the default
    /// <see cref="EmotionPredictorOptions.MaxFramesPerSharedRun"/> (12), chunks of 8 and 16 run on their own in both cases.</summary>
    [Params(1, 4, 8, 16)]
    public int ChunkSize { get; set; }

    /// <summary>Builds, exports and opens the model; makes one random crop per face and frame.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkModels.Prepare();
        model = BenchmarkModels.Library(Backbone, Head, 1, BenchmarkDevice.Cpu);
        onnxPath = Path.Combine(Path.GetTempPath(), $"emotion-bench-faces-{Backbone}-{Head}-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, onnxPath);
        predictor = new EmotionPredictor(onnxPath, new EmotionPredictorOptions
        {
            IntraOpThreads = BenchmarkScope.Threads, StreamChunkSize = ChunkSize, // the library's MaxFramesPerRun and MaxFramesPerSharedRun
        });
        var random = new Random(5);
        crops = [];
        for (int i = 0; i < Faces * Frames; i++)
        {
            var image = new Image<Rgb24>(BenchmarkModels.Size, BenchmarkModels.Size);
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            crops.Add(image);
        }
    }

    /// <summary>One ONNX Runtime call per face and chunk.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public float Unbatched() => Predict(batched: false);

    /// <summary>The faces' chunks in one call.</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public float Batched() => Predict(batched: true);

    private float Predict(bool batched)
    {
        using var group = new EmotionStreamGroup(predictor!, batched: batched);
        var streams = Enumerable.Range(0, Faces).Select(_ => group.Open()).ToArray();
        float sum = 0;
        for (int t = 0; t < Frames; t++)
        {
            for (int f = 0; f < Faces; f++)
                foreach (var p in streams[f].Push(crops![f * Frames + t])) sum += p.Valence ?? 0;
            foreach (var (_, predictions) in group.RunReady())
                foreach (var p in predictions) sum += p.Valence ?? 0;
        }
        foreach (var stream in streams)
            foreach (var p in stream.Complete()) sum += p.Valence ?? 0;
        return sum;
    }

    /// <summary>Releases the predictor, the crops and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        predictor?.Dispose();
        model?.Dispose();
        foreach (var crop in crops ?? []) crop.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
