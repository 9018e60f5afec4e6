using BenchmarkDotNet.Attributes;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Core.Faces;

namespace Emotion.Benchmarks;

/// <summary>
/// Preprocessing throughput on one thread (frames/s per core): decoding a 112x112 JPEG, resizing to 96x96 and normalising
/// into CHW floats (the reference figures in docs/benchmarks.md come from the same operation), and the same with a crop
/// to a face box (80x80 pixels, as after a face detector) before the resize. The JPEG bytes are in memory.
/// </summary>
public class PreprocessingBenchmarks
{
    private const int FramesPerRound = 256;

    private EncodedFrameSource[] sources = [];
    private FramePipeline? pipeline;
    private float[] destination = [];

    /// <summary>Loads the JPEG bytes into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var files = BenchmarkData.Training.Videos.SelectMany(v => v.Frames).Take(FramesPerRound)
            .Select(f => ((FileFrameSource)f.Source).Path).ToArray();
        sources = files.Select(f => new EncodedFrameSource(File.ReadAllBytes(f), f)).ToArray();
        pipeline = new FramePipeline(new FrameTransformOptions { Width = 96, Height = 96 });
        destination = new float[pipeline.FrameLength];
    }

    /// <summary>Decode + resize + normalise, one frame at a time on one thread.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRound)]
    public void DecodeResizeNormalize()
    {
        foreach (var source in sources)
            pipeline!.ProcessForEvaluation(source, destination);
    }

    /// <summary>Decode + crop to a face box + resize + normalise, one frame at a time on one thread.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRound)]
    public void DecodeCropResizeNormalize()
    {
        var face = new FaceBox(16, 12, 80, 80);
        foreach (var source in sources)
            pipeline!.ProcessForEvaluation(source, destination, face);
    }
}
