using Emotion.Core.Sequences;

namespace Emotion.Core.Tests.Sequences;

public class FrameGapsTests
{
    [Theory]
    [InlineData(4, 5, false)]
    [InlineData(4, 6, true)]   // one missing frame
    [InlineData(4, 4, true)]   // a repeat
    [InlineData(9, 1, true)]   // a jump back (a new video or a restart)
    public void OnlyTheNextNumberContinuesASequence(int previous, int number, bool breaks) =>
        Assert.Equal(breaks, FrameGaps.BreaksSequence(previous, number));

    [Fact]
    public void SegmentsAreMaximalRunsOfConsecutiveNumbers()
    {
        int[] numbers = [1, 2, 3, 7, 8, 10, 11, 12, 13];
        var segments = FrameGaps.Segments(numbers).Select(r => numbers[r]).ToArray();
        Assert.Equal([[1, 2, 3], [7, 8], [10, 11, 12, 13]], segments);
        Assert.Equal(3, FrameGaps.Segments((IReadOnlyList<int>)numbers).Count);
    }

    [Fact]
    public void SegmentsOfNoFrameAreEmptyAndOfOneFrameAreOne()
    {
        Assert.Empty(FrameGaps.Segments(ReadOnlySpan<int>.Empty));
        Assert.Equal([0..1], FrameGaps.Segments([42]));
    }
}
