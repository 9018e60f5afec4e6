using Emotion.Core.Data;
using Emotion.Preprocessing.Datasets;
using Emotion.Synthetic;

namespace Emotion.Benchmarks;

/// <summary>Shared inputs: a synthetic dataset on disk (generated once per process) and random in-memory batches.</summary>
public static class BenchmarkData
{
    private static readonly Lock Gate = new();
    private static string? root;

    /// <summary>The synthetic dataset's root (112 px frames, Aff-Wild2 layout), generated on first use.</summary>
    public static string Root
    {
        get
        {
            lock (Gate)
            {
                if (root is not null) return root;
                var path = Path.Combine(Path.GetTempPath(), "emotion-benchmark-data-112");
                if (!File.Exists(Path.Combine(path, SyntheticDatasetGenerator.MarkerFile)))
                    SyntheticDatasetGenerator.Generate(path, new SyntheticDatasetOptions { Videos = 10, FramesPerVideo = 64, FrameSize = 112, Seed = 1 });
                return root = path;
            }
        }
    }

    /// <summary>The training split.</summary>
    public static EmotionDataset Training => AffWild2Dataset.Load(Root, AffWild2Layout.TrainingSplit);

    /// <summary>A batch of random frames with every label present.</summary>
    public static SequenceBatch RandomBatch(int batchSize, int frames, int size, int seed = 0)
    {
        var batch = new SequenceBatch(batchSize, frames, size, size);
        var random = new Random(seed);
        for (int i = 0; i < batch.Frames.Length; i++) batch.Frames[i] = (float)(random.NextDouble() * 2 - 1);
        for (int b = 0; b < batchSize; b++)
        for (int t = 0; t < frames; t++)
        {
            int i = batch.Index(b, t);
            batch.FrameMask[i] = true;
            batch.SetLabel(b, t, new Core.FrameLabel((Core.EmotionCategory)random.Next(7), (float)(random.NextDouble() * 2 - 1), (float)(random.NextDouble() * 2 - 1)));
        }
        return batch;
    }
}
