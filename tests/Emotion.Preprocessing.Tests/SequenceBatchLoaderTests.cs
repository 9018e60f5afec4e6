using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

public class SequenceBatchLoaderTests(SyntheticFixture data) : IClassFixture<SyntheticFixture>
{
    private static readonly FramePipeline Training = new(FrameTransformOptions.ForTraining(32));
    private static readonly WindowOptions Windowing = new() { Length = 6, Stride = 4 };

    private IReadOnlyList<SequenceWindow> Windows => SequenceWindower.Windows(data.Training, Windowing);

    private static string Key(SequenceBatch batch, int b) => $"{batch.VideoIds[b]}@{batch.FrameNumbers[batch.Index(b, 0)]}";

    [Fact]
    public void EveryWindowOncePerEpochWithShapesAndMasks()
    {
        var windows = Windows;
        using var loader = new SequenceBatchLoader(windows, Training, new SequenceLoaderOptions { BatchSize = 3, Seed = 1, Workers = 2 });
        var batches = loader.ReadEpoch(0).ToList();
        Assert.Equal(loader.BatchCount, batches.Count);
        Assert.Equal((windows.Count + 2) / 3, batches.Count);
        var seen = new List<string>();
        foreach (var batch in batches)
        {
            Assert.Equal((6, 32, 32), (batch.SequenceLength, batch.Height, batch.Width));
            Assert.Equal(batch.BatchSize * 6 * 3 * 32 * 32, batch.Frames.Length);
            for (int b = 0; b < batch.BatchSize; b++)
            {
                seen.Add(Key(batch, b));
                var window = windows.Single(w => w.Video.Id == batch.VideoIds[b] && w.Frame(0).Number == batch.FrameNumbers[batch.Index(b, 0)]);
                for (int t = 0; t < 6; t++)
                {
                    int i = batch.Index(b, t);
                    if (t < window.ValidCount)
                    {
                        Assert.True(batch.FrameMask[i]);
                        Assert.Equal(window.Frame(t).Number, batch.FrameNumbers[i]);
                        Assert.Equal(window.Frame(t).Label, batch.GetLabel(b, t));
                    }
                    else
                    {
                        Assert.False(batch.FrameMask[i]);
                        Assert.Equal(-1, batch.Categories[i]);
                        Assert.Equal(-1, batch.FrameNumbers[i]);
                        Assert.False(batch.ValenceMask[i] || batch.ArousalMask[i]);
                        Assert.All(batch.Frame(b, t).ToArray(), v => Assert.Equal(0f, v));
                    }
                }
            }
        }
        Assert.Equal(windows.Select(w => $"{w.Video.Id}@{w.Frame(0).Number}").Order(), seen.Order());
        Assert.Contains(windows, w => w.ValidCount < w.Length); // padding was exercised
    }

    [Fact]
    public void SameSeedSameOrderAndPixelsAndEqualToSingleThreaded()
    {
        var windows = Windows;
        var options = new SequenceLoaderOptions { BatchSize = 4, Seed = 42, Workers = 3, Prefetch = 1 };
        using var a = new SequenceBatchLoader(windows, Training, options);
        using var b = new SequenceBatchLoader(windows, Training, options with { Workers = 1, CacheCapacityBytes = 1L << 26 });
        var first = a.ReadEpoch(1).ToList();
        var second = b.ReadEpoch(1).ToList();
        var order = a.Order(1);
        Assert.Equal(first.Count, second.Count);
        for (int k = 0; k < first.Count; k++)
        {
            Assert.Equal(first[k].VideoIds, second[k].VideoIds);
            Assert.Equal(first[k].Frames, second[k].Frames);
            Assert.Equal(first[k].Categories, second[k].Categories);
            var reference = a.BuildBatch(order.Skip(k * 4).Take(4).Select(i => windows[i]).ToList(), 1);
            Assert.Equal(reference.Frames, first[k].Frames);
            Assert.Equal(reference.FrameNumbers, first[k].FrameNumbers);
        }
        Assert.True(b.Cache!.Count > 0);
        // another epoch: another order and other augmentation
        Assert.NotEqual(a.Order(1), a.Order(2));
        var other = a.ReadEpoch(2).First();
        Assert.NotEqual(first[0].Frames, other.Frames);
        // a different seed shuffles differently
        using var c = new SequenceBatchLoader(windows, Training, options with { Seed = 43 });
        Assert.NotEqual(a.Order(1), c.Order(1));
    }

    [Fact]
    public async Task AsyncEnumerationMatchesSyncAndEvaluationIsInOrderWithoutAugmentation()
    {
        using var eval = SequenceBatchLoader.ForEvaluation(data.Training, Training, sequenceLength: 5, batchSize: 3, workers: 2);
        Assert.False(eval.Pipeline.Options.HasAugmentation);
        var sync = eval.ReadEpoch(0).ToList();
        var asyncBatches = new List<SequenceBatch>();
        await foreach (var batch in eval.ReadEpochAsync(7)) asyncBatches.Add(batch);
        Assert.Equal(sync.Count, asyncBatches.Count);
        for (int k = 0; k < sync.Count; k++) Assert.Equal(sync[k].Frames, asyncBatches[k].Frames); // no augmentation: epoch does not matter
        // every frame of every video exactly once, in dataset order
        var predicted = new List<(string, int)>();
        foreach (var batch in sync)
            for (int b = 0; b < batch.BatchSize; b++)
                for (int t = 0; t < batch.SequenceLength; t++)
                    if (batch.FrameMask[batch.Index(b, t)]) predicted.Add((batch.VideoIds[b], batch.FrameNumbers[batch.Index(b, t)]));
        Assert.Equal(data.Training.Videos.SelectMany(v => v.Frames.Select(f => (v.Id, f.Number))), predicted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AugmentationIsKeyedByWindowOrFrame(bool consistent)
    {
        var window = Windows[1];
        using var loader = new SequenceBatchLoader([window], Training, new SequenceLoaderOptions { Seed = 9, ConsistentAugmentation = consistent, CacheCapacityBytes = 0 });
        var batch = loader.ReadEpoch(3).Single();
        Assert.Equal(0, loader.Cache!.Count); // capacity 0: nothing kept, results unchanged
        var expected = new float[Training.FrameLength];
        for (int t = 0; t < window.ValidCount; t++)
        {
            var frame = window.Frame(t);
            int key = consistent ? window.Frame(0).Number : frame.Number;
            Training.Write(Training.Prepare(frame.Source), Training.SampleAugmentation(9, 3, window.Video.Id, key), expected);
            Assert.Equal(expected, batch.Frame(0, t).ToArray());
        }
    }

    [Fact]
    public void DropLastAndValidation()
    {
        var windows = Windows;
        using var loader = new SequenceBatchLoader(windows, Training, new SequenceLoaderOptions { BatchSize = 4, DropLast = true });
        Assert.Equal(windows.Count / 4, loader.BatchCount);
        Assert.All(loader.ReadEpoch(0), b => Assert.Equal(4, b.BatchSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatchLoader(windows, Training, new SequenceLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new SequenceBatchLoader([], Training));
        var mixed = SequenceWindower.Windows(data.Training.Videos.Take(1), new WindowOptions { Length = 3 })
            .Concat(SequenceWindower.Windows(data.Training.Videos.Take(1), new WindowOptions { Length = 4 })).ToList();
        Assert.Throws<ArgumentException>(() => new SequenceBatchLoader(mixed, Training));
    }

    [Fact]
    public void CancellationStopsTheEpoch()
    {
        using var loader = new SequenceBatchLoader(Windows, Training, new SequenceLoaderOptions { BatchSize = 1, Workers = 2 });
        using var cts = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in loader.ReadEpoch(0, cts.Token))
            {
                if (++seen == 2) cts.Cancel();
            }
        });
        Assert.Equal(2, seen);
        // the loader still works afterwards; after Dispose it refuses
        Assert.Equal(loader.BatchCount, loader.ReadEpoch(1).Count());
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.ReadEpoch(2).First());
    }

    [Fact]
    public void UnreadableFrameSurfacesWithItsFileName()
    {
        using var dir = new TempFolder("emotion-pre-");
        var bad = dir.Write("00002.jpg", "garbage");
        var video = new VideoRecord("broken", [
            new VideoFrame(1, new FileFrameSource(data.Training.Videos[0].Frames[0].Source.Name), FrameLabel.Unlabeled),
            new VideoFrame(2, new FileFrameSource(bad), FrameLabel.Unlabeled)]);
        using var loader = new SequenceBatchLoader(SequenceWindower.Windows(video, new WindowOptions { Length = 2 }), Training);
        var ex = Assert.Throws<FrameDecodeException>(() => loader.ReadEpoch(0).ToList());
        Assert.Contains(bad, ex.Message);
    }
}
