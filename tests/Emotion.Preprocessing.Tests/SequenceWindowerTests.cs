using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Sequences;

namespace Emotion.Preprocessing.Tests;

public class SequenceWindowerTests
{
    internal static VideoRecord Video(string id, params int[] numbers) =>
        new(id, numbers.Select(n => new VideoFrame(n, new FileFrameSource($"/nowhere/{id}/{n:D5}.jpg"), new FrameLabel((EmotionCategory)(n % 7)))));

    private static int[][] Numbers(IReadOnlyList<SequenceWindow> windows) => windows.Select(w => w.FrameNumbers.ToArray()).ToArray();

    [Fact]
    public void ShorterThanAWindowGivesOnePaddedWindow()
    {
        var windows = SequenceWindower.Windows(Video("v", 1, 2, 3), new WindowOptions { Length = 8 });
        var w = Assert.Single(windows);
        Assert.Equal(8, w.Length);
        Assert.Equal(3, w.ValidCount);
        Assert.Empty(SequenceWindower.Windows(Video("v", 1, 2, 3), new WindowOptions { Length = 8, Tail = TailMode.Drop }));
    }

    [Fact]
    public void ExactMultipleHasNoPadding()
    {
        var windows = SequenceWindower.Windows(Video("v", Enumerable.Range(1, 8).ToArray()), new WindowOptions { Length = 4 });
        Assert.Equal([[1, 2, 3, 4], [5, 6, 7, 8]], Numbers(windows));
        Assert.All(windows, w => Assert.Equal(4, w.ValidCount));
    }

    [Fact]
    public void OverlappingStrideStopsOnceTheEndIsReached()
    {
        var windows = SequenceWindower.Windows(Video("v", Enumerable.Range(1, 10).ToArray()), new WindowOptions { Length = 8, Stride = 4 });
        Assert.Equal([[1, 2, 3, 4, 5, 6, 7, 8], [5, 6, 7, 8, 9, 10]], Numbers(windows));
        Assert.Equal(6, windows[1].ValidCount);
        var dropped = SequenceWindower.Windows(Video("v", Enumerable.Range(1, 10).ToArray()), new WindowOptions { Length = 8, Stride = 4, Tail = TailMode.Drop });
        Assert.Equal([[1, 2, 3, 4, 5, 6, 7, 8]], Numbers(dropped));
    }

    [Fact]
    public void StrideLargerThanWindowSkipsFrames()
    {
        var windows = SequenceWindower.Windows(Video("v", Enumerable.Range(1, 20).ToArray()), new WindowOptions { Length = 4, Stride = 6 });
        Assert.Equal([[1, 2, 3, 4], [7, 8, 9, 10], [13, 14, 15, 16], [19, 20]], Numbers(windows));
    }

    [Fact]
    public void SubsamplingTakesEveryKthFrameOfEachSegment()
    {
        // segments of consecutive numbers: [1..3], [5..8], [10..11]; every 2nd frame of each, windows inside each
        var video = Video("v", 1, 2, 3, 5, 6, 7, 8, 10, 11);
        var windows = SequenceWindower.Windows(video, new WindowOptions { Length = 3, Subsample = 2 });
        Assert.Equal([[1, 3], [5, 7], [10]], Numbers(windows));
        Assert.Equal([0, 1, 2], windows.Select(w => w.Segment));
        // labels travel with the frames (aligned by number)
        Assert.Equal((EmotionCategory)(7 % 7), windows[1].Frame(1).Label.Category);
    }

    [Fact]
    public void NoWindowSpansAGapInFrameNumbers()
    {
        // Aff-Wild2 style: frames 5-6 and 11-19 had no face
        var numbers = Enumerable.Range(1, 4).Concat(Enumerable.Range(7, 4)).Concat(Enumerable.Range(20, 10)).ToArray();
        var windows = SequenceWindower.Windows(Video("v", numbers), new WindowOptions { Length = 4 });
        Assert.Equal([[1, 2, 3, 4], [7, 8, 9, 10], [20, 21, 22, 23], [24, 25, 26, 27], [28, 29]], Numbers(windows));
        foreach (var w in windows)
        {
            var n = w.FrameNumbers.ToArray();
            for (int t = 1; t < n.Length; t++) Assert.Equal(n[t - 1] + 1, n[t]);
        }
        Assert.Equal([0, 1, 2, 2, 2], windows.Select(w => w.Segment));
        // only a window that starts where the previous one of its segment ended may inherit its recurrent state
        Assert.Equal([false, false, false, true, true], windows.Select(w => w.FollowsPrevious));
    }

    [Fact]
    public void OverlappingWindowsNeverFollowThePreviousOne()
    {
        var windows = SequenceWindower.Windows(Video("v", Enumerable.Range(1, 12).ToArray()), new WindowOptions { Length = 4, Stride = 2 });
        Assert.All(windows, w => Assert.False(w.FollowsPrevious));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var video = Video("v", 1, 2);
        Assert.Equal("Stride", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindower.Windows(video, new WindowOptions { Stride = 0 })).ParamName);
        Assert.Equal("Length", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindower.Windows(video, new WindowOptions { Length = 0 })).ParamName);
        Assert.Equal("Subsample", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindower.Windows(video, new WindowOptions { Subsample = 0 })).ParamName);
    }

    [Fact]
    public void EvaluationWindowsCoverEveryFrameExactlyOnce()
    {
        var videos = new[] { Video("a", 1, 2, 4, 5, 6, 9, 10), Video("b", 3), Video("c", Enumerable.Range(1, 12).ToArray()) };
        var windows = SequenceWindower.Windows(videos, WindowOptions.ForEvaluation(4));
        var covered = windows.SelectMany(w => w.FrameNumbers.Select(n => (w.Video.Id, n))).ToList();
        var all = videos.SelectMany(v => v.Frames.Select(f => (v.Id, f.Number))).ToList();
        Assert.Equal(all, covered);
    }

    [Fact]
    public void VideoRecordRejectsUnsortedFrames()
    {
        var ex = Assert.Throws<ArgumentException>(() => Video("v", 2, 1));
        Assert.Contains("strictly increasing", ex.Message);
    }
}
