using BenchmarkDotNet.Attributes;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;

namespace Emotion.Benchmarks;

/// <summary>
/// The background batch loader delivering 4 x 8-frame training batches at 112x112 from JPEG files on disk (its default
/// workers: core count - 1, at least 1; training pipeline with augmentation), with and without its decoded-frame cache.
/// </summary>
public class LoaderBenchmarks
{
    private const int LoaderWindows = 16;

    private SequenceBatchLoader? loader;
    private int epoch;

    /// <summary>Whether the loader caches decoded, resized frames.</summary>
    [Params(false, true)]
    public bool Cache { get; set; }

    /// <summary>Builds the loader (and fills its cache when <see cref="Cache"/> is set).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var windows = SequenceWindower.Windows(BenchmarkData.Training, new WindowOptions { Length = 8, Stride = 8 })
            .Where(w => w.ValidCount == 8).Take(LoaderWindows).ToList();
        loader = new SequenceBatchLoader(windows, new FramePipeline(FrameTransformOptions.ForTraining(112)),
            new SequenceLoaderOptions { BatchSize = 4, Seed = 1, CacheCapacityBytes = Cache ? 256L << 20 : null });
        if (Cache) loader.WarmCache();
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
