using Emotion.Core.Data;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using static Emotion.Preprocessing.Tests.SequenceWindowerTests;

namespace Emotion.Preprocessing.Tests;

/// <summary>Lane batching for stateful training (truncated BPTT): <see cref="LaneSchedule"/> and the stateful loader.</summary>
public class LaneScheduleTests(SyntheticFixture data) : IClassFixture<SyntheticFixture>
{
    // a: frames 1..12, one segment: a0 [1-4], a1 [5-8] (follows), a2 [9-12] (follows)
    // b: frames 1..6 and 9..12, two segments: b0 [1-4], b1 [5,6 + padding] (follows), b2 [9-12] (new segment)
    // c: frames 1..4: c0 [1-4]
    private static readonly IReadOnlyList<SequenceWindow> Small = SequenceWindower.Windows(
        [Video("a", Enumerable.Range(1, 12).ToArray()), Video("b", 1, 2, 3, 4, 5, 6, 9, 10, 11, 12), Video("c", 1, 2, 3, 4)],
        new WindowOptions { Length = 4 });

    private static string Name(SequenceWindow w) => $"{w.Video.Id}{w.FrameNumbers.First()}";

    private static string[][] Layout(LaneSchedule schedule, IReadOnlyList<SequenceWindow> windows) =>
        schedule.Steps.Select(step => step.Select(slot => (slot.ContinuesState ? "+" : "0") + Name(windows[slot.Window])).ToArray()).ToArray();

    [Fact]
    public void HandCheckedLanesCarryTheStateOnlyIntoTheNextWindowOfASegment()
    {
        Assert.Equal(["a1", "a5", "a9", "b1", "b5", "b9", "c1"], Small.Select(Name));
        Assert.Equal([false, true, true, false, true, false, false], Small.Select(w => w.FollowsPrevious));

        // N = 7 windows, B = 2 lanes: L = ceil(7 / 2) = 4 steps, r = 7 - 3 * 2 = 1 lane of 4 windows, the other of 3.
        // Lane 0: a1 a5 a9 b1; lane 1: b5 b9 c1. "+" carries the state, "0" starts from zero:
        // b5 is the first window of lane 1 (the lane starts part-way through b's first segment), b9 follows a gap,
        // c1 and b1 start another video.
        var schedule = LaneSchedule.Create(Small, lanes: 2, shuffle: false);
        Assert.Equal(
            [["0a1", "0b5"], ["+a5", "0b9"], ["+a9", "0c1"], ["0b1"]],
            Layout(schedule, Small));
        Assert.Equal(4, LaneSchedule.StepCount(7, 2, dropLast: false));

        // The last, smaller step dropped: b1 is not visited.
        var dropped = LaneSchedule.Create(Small, lanes: 2, shuffle: false, dropLast: true);
        Assert.Equal([["0a1", "0b5"], ["+a5", "0b9"], ["+a9", "0c1"]], Layout(dropped, Small));
        Assert.Equal(3, LaneSchedule.StepCount(7, 2, dropLast: true));

        // One lane: the whole stream in order; three lanes: L = 3, r = 1.
        Assert.Equal([["0a1"], ["+a5"], ["+a9"], ["0b1"], ["+b5"], ["0b9"], ["0c1"]], Layout(LaneSchedule.Create(Small, 1, shuffle: false), Small));
        Assert.Equal([["0a1", "0b1", "0b9"], ["+a5", "+b5", "0c1"], ["+a9"]], Layout(LaneSchedule.Create(Small, 3, shuffle: false), Small));
        // More lanes than windows: one step of N rows.
        Assert.Equal([["0a1", "0a5", "0a9", "0b1", "0b5", "0b9", "0c1"]], Layout(LaneSchedule.Create(Small, 9, shuffle: false), Small));
    }

    [Fact]
    public void OverlappingWindowsNeverCarryTheState()
    {
        var overlapping = SequenceWindower.Windows([Video("a", Enumerable.Range(1, 12).ToArray())], new WindowOptions { Length = 4, Stride = 2 });
        var schedule = LaneSchedule.Create(overlapping, 1, shuffle: false);
        Assert.Equal(overlapping.Count, schedule.Steps.Count);
        Assert.All(schedule.Steps, step => Assert.False(step.Single().ContinuesState));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void EveryWindowOncePerEpochInTimeOrderWithinLanesWithSegmentsShuffled(int lanes)
    {
        var windows = SequenceWindower.Windows(data.Training, new WindowOptions { Length = 4 });
        Assert.Contains(windows, w => w.Segment > 0); // the synthetic videos have gaps
        var orders = new List<IReadOnlyList<int>>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var schedule = LaneSchedule.Create(windows, lanes, epoch, seed: 5);
            Assert.Equal(LaneSchedule.StepCount(windows.Count, lanes, false), schedule.Steps.Count);
            Assert.All(schedule.Steps.SkipLast(1), step => Assert.Equal(lanes, step.Count));
            Assert.InRange(schedule.Steps[^1].Count, 1, lanes);

            // Every window exactly once.
            Assert.Equal(Enumerable.Range(0, windows.Count), schedule.Steps.SelectMany(step => step.Select(slot => slot.Window)).Order());

            // Lanes, read in lane order, are one stream in which each segment's windows are together and in time order:
            // the shuffle moves segments, never windows.
            var stream = Enumerable.Range(0, lanes)
                .SelectMany(b => schedule.Steps.Where(step => step.Count > b).Select(step => step[b].Window)).ToList();
            var lanesOf = Enumerable.Range(0, lanes)
                .Select(b => schedule.Steps.Where(step => step.Count > b).Select(step => step[b]).ToList()).ToList();
            for (int i = 1; i < stream.Count; i++)
            {
                var (previous, current) = (windows[stream[i - 1]], windows[stream[i]]);
                if (ReferenceEquals(previous.Video, current.Video) && previous.Segment == current.Segment)
                    Assert.Equal(stream[i - 1] + 1, stream[i]);
            }
            // Within a lane the state is carried exactly where the window follows the lane's previous window.
            foreach (var lane in lanesOf)
            {
                Assert.False(lane[0].ContinuesState);
                for (int k = 1; k < lane.Count; k++)
                {
                    bool follows = windows[lane[k].Window].FollowsPrevious && lane[k].Window == lane[k - 1].Window + 1
                        && ReferenceEquals(windows[lane[k].Window].Video, windows[lane[k - 1].Window].Video);
                    Assert.Equal(follows, lane[k].ContinuesState);
                    if (lane[k].ContinuesState)
                        Assert.Equal(windows[lane[k - 1].Window].FrameNumbers.Last() + 1, windows[lane[k].Window].FrameNumbers.First());
                }
            }
            if (lanes == 1) // one lane: every window that follows its predecessor carries the state
                Assert.Equal(windows.Count(w => w.FollowsPrevious), schedule.Steps.Count(step => step[0].ContinuesState));
            orders.Add(schedule.UnitOrder);
            // Same seed and epoch: the same schedule.
            Assert.Equal(Layout(schedule, windows), Layout(LaneSchedule.Create(windows, lanes, epoch, seed: 5), windows));
        }
        Assert.NotEqual(orders[0], orders[1]);
        Assert.NotEqual(orders[1], orders[2]);
    }

    [Fact]
    public void StatefulLoaderFillsRowsByLaneMarksCarriedRowsAndAugmentsASegmentAlike()
    {
        var windows = SequenceWindower.Windows(data.Training, new WindowOptions { Length = 4 });
        var pipeline = new FramePipeline(FrameTransformOptions.ForTraining(32));
        var options = new SequenceLoaderOptions { BatchSize = 3, Seed = 11, Workers = 2, Stateful = true };
        using var loader = new SequenceBatchLoader(windows, pipeline, options);
        var batches = loader.ReadEpoch(2).ToList();
        var schedule = loader.Lanes(2);
        Assert.Equal(loader.BatchCount, batches.Count);
        Assert.Equal(schedule.Steps.Count, batches.Count);
        Assert.Equal((windows.Count + 2) / 3, batches.Count); // as many batches as the ordinary loader
        for (int s = 0; s < batches.Count; s++)
        {
            var batch = batches[s];
            Assert.Equal(schedule.Steps[s].Count, batch.BatchSize);
            for (int b = 0; b < batch.BatchSize; b++)
            {
                var window = windows[schedule.Steps[s][b].Window];
                Assert.Equal(window.Video.Id, batch.VideoIds[b]);
                Assert.Equal(window.FrameNumbers, Enumerable.Range(0, window.ValidCount).Select(t => batch.FrameNumbers[batch.Index(b, t)]));
                Assert.Equal(schedule.Steps[s][b].ContinuesState, batch.ContinuesState[b]);
                // Augmentation keyed by the first frame of the window's segment: consecutive windows of a lane look alike.
                int segmentStart = windows.First(w => ReferenceEquals(w.Video, window.Video) && w.Segment == window.Segment).Frame(0).Number;
                var expected = new float[pipeline.FrameLength];
                pipeline.Write(pipeline.Prepare(window.Frame(0).Source), pipeline.SampleAugmentation(11, 2, window.Video.Id, segmentStart), expected);
                Assert.Equal(expected, batch.Frame(b, 0).ToArray());
            }
        }
        Assert.Contains(batches, batch => batch.ContinuesState.Any(c => c));

        // An ordinary loader marks no row, and has no lanes.
        using var plain = new SequenceBatchLoader(windows, pipeline, options with { Stateful = false });
        Assert.All(plain.ReadEpoch(0), batch => Assert.All(batch.ContinuesState, Assert.False));
        Assert.Throws<InvalidOperationException>(() => plain.Lanes(0));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LaneSchedule.Create([], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaneSchedule.Create(Small, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaneSchedule.Create(Small, 2, epoch: -1));
        Assert.True(new SequenceBatch(2, 3, 4, 4).ContinuesState.SequenceEqual([false, false]));
    }
}
