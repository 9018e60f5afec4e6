using BenchmarkDotNet.Attributes;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;

namespace Emotion.Benchmarks;

/// <summary>
/// Preprocessing throughput: one thread decoding a 112x112 JPEG, resizing to 96x96 and normalising into CHW floats
/// (frames/s per core; the reference figures in docs/benchmarks.md come from the same operation), and the background
/// batch loader delivering 4 x 8-frame training batches from disk, with and without its decoded-frame cache.
/// </summary>
public class PreprocessingBenchmarks
{
    private const int FramesPerRound = 256;
    private const int LoaderWindows = 16;

    private EncodedFrameSource[] sources = [];
    private FramePipeline? pipeline;
    private float[] destination = [];
    private SequenceBatchLoader? loader;
    private int epoch;

    /// <summary>Whether the loader caches decoded, resized frames.</summary>
    [Params(false, true)]
    public bool Cache { get; set; }

    /// <summary>Loads the JPEG bytes into memory and builds the loader.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var files = BenchmarkData.Training.Videos.SelectMany(v => v.Frames).Take(FramesPerRound)
            .Select(f => ((FileFrameSource)f.Source).Path).ToArray();
        sources = files.Select(f => new EncodedFrameSource(File.ReadAllBytes(f), f)).ToArray();
        pipeline = new FramePipeline(new FrameTransformOptions { Width = 96, Height = 96 });
        destination = new float[pipeline.FrameLength];
        var windows = SequenceWindower.Windows(BenchmarkData.Training, new WindowOptions { Length = 8, Stride = 8 })
            .Where(w => w.ValidCount == 8).Take(LoaderWindows).ToList();
        loader = new SequenceBatchLoader(windows, new FramePipeline(FrameTransformOptions.ForTraining(112)),
            new SequenceLoaderOptions { BatchSize = 4, Seed = 1, CacheCapacityBytes = Cache ? 256L << 20 : null });
        if (Cache) loader.WarmCache();
    }

    /// <summary>Decode + resize + normalise, one frame at a time on one thread.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRound)]
    public void DecodeResizeNormalize()
    {
        foreach (var source in sources)
            pipeline!.ProcessForEvaluation(source, destination);
    }

    /// <summary>One epoch of the background loader over 16 full 8-frame windows (4 batches of 4 x 8 frames).</summary>
    [Benchmark(OperationsPerInvoke = LoaderWindows * 8)]
    public int LoaderEpoch()
    {
        int batches = 0;
        foreach (var batch in loader!.ReadEpoch(epoch++)) batches += batch.BatchSize;
        return batches;
    }

    /// <summary>Releases the loader.</summary>
    [GlobalCleanup]
    public void Cleanup() => loader?.Dispose();
}
