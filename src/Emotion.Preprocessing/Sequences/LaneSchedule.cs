using Emotion.Preprocessing.Transforms;

namespace Emotion.Preprocessing.Sequences;

/// <summary>
/// The batch layout of stateful training (truncated back-propagation through time), as in language-model batching: every
/// batch row is a <em>lane</em> that walks through windows in time order, so row b of batch s + 1 continues row b of
/// batch s and the trainer can carry the detached recurrent state from one to the next.
/// </summary>
/// <remarks>
/// <para>The windows are grouped into <em>units</em>: maximal runs of consecutive windows (in the given list) of the same
/// video and segment (<see cref="SequenceWindow.Segment"/>). The units are shuffled per epoch (a seeded Fisher-Yates
/// permutation of (seed, epoch); windows keep their order inside a unit) and concatenated into one stream of N windows,
/// which is cut into B contiguous lanes: with L = ceil(N / B) and r = N - (L - 1)·B, lanes 0..r-1 hold L windows and the
/// others L - 1. Step s holds the s-th window of every lane that has one, in lane order, so there are L steps: B rows
/// each, except the last, which has the first r lanes only. Every window appears exactly once per epoch and the number
/// of batches is the one an ordinary loader would give (ceil(N / B), or floor(N / B) when the last, smaller step is
/// dropped).</para>
/// <para>A row continues its state (<see cref="LaneSlot.ContinuesState"/>) only when its window is not the lane's first
/// and <see cref="SequenceWindow.FollowsPrevious"/> holds for it with the lane's previous window in the same unit; it
/// resets at a new segment (a gap in the frame numbers, <see cref="Core.Sequences.FrameGaps"/>), a new video and where a
/// lane starts part-way through a unit (at most B - 1 such cuts per epoch). The state of the first step is always zero,
/// so an epoch depends on nothing before it.</para>
/// </remarks>
public sealed class LaneSchedule
{
    private readonly LaneSlot[][] _steps;

    private LaneSchedule(int lanes, LaneSlot[][] steps, int[] unitOrder)
    {
        Lanes = lanes;
        _steps = steps;
        UnitOrder = unitOrder;
    }

    /// <summary>The number of lanes B (the rows of a full step).</summary>
    public int Lanes { get; }

    /// <summary>The steps (batches) of the epoch, each a list of rows in lane order.</summary>
    public IReadOnlyList<IReadOnlyList<LaneSlot>> Steps => _steps;

    /// <summary>The order of the units in the stream (indices of units in the order they first occur in the window list).</summary>
    public IReadOnlyList<int> UnitOrder { get; }

    /// <summary>Builds the lanes of an epoch.</summary>
    /// <param name="windows">The windows, each segment's windows together and in time order (as <see cref="SequenceWindower"/> gives them).</param>
    /// <param name="lanes">The number of lanes B (the batch size).</param>
    /// <param name="epoch">The 0-based epoch (selects the shuffle).</param>
    /// <param name="seed">The shuffle seed.</param>
    /// <param name="shuffle">Shuffle the units (false: the units in the given order).</param>
    /// <param name="dropLast">Leave out the last step when it has fewer than B rows (its windows are then not visited).</param>
    /// <exception cref="ArgumentException">No windows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one lane, or a negative epoch.</exception>
    public static LaneSchedule Create(IReadOnlyList<SequenceWindow> windows, int lanes, int epoch = 0, long seed = 0, bool shuffle = true, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) throw new ArgumentException("A lane schedule needs at least one window.", nameof(windows));
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);

        var unitStarts = UnitStarts(windows);
        int units = unitStarts.Count;
        var order = new int[units];
        for (int i = 0; i < units; i++) order[i] = i;
        if (shuffle)
        {
            var random = FrameRandom.For(seed, epoch, "lanes", 0);
            for (int i = units - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        var stream = new int[windows.Count];
        int n = 0;
        foreach (int u in order)
        {
            int end = u + 1 < units ? unitStarts[u + 1] : windows.Count;
            for (int w = unitStarts[u]; w < end; w++) stream[n++] = w;
        }

        int total = stream.Length;
        int length = (total + lanes - 1) / lanes;      // L: steps
        int full = total - (length - 1) * lanes;        // r: lanes that hold L windows (1..B)
        int stepCount = dropLast && full < lanes ? length - 1 : length;
        var steps = new LaneSlot[stepCount][];
        for (int s = 0; s < stepCount; s++)
        {
            int rows = s < length - 1 ? lanes : full;
            var step = new LaneSlot[rows];
            for (int b = 0; b < rows; b++)
            {
                int laneStart = b < full ? b * length : full * length + (b - full) * (length - 1);
                int position = laneStart + s;
                int window = stream[position];
                bool continues = s > 0 && windows[window].FollowsPrevious && SameUnit(windows[stream[position - 1]], windows[window]);
                step[b] = new LaneSlot(window, continues);
            }
            steps[s] = step;
        }
        return new LaneSchedule(lanes, steps, order);
    }

    /// <summary>The number of steps (batches) an epoch has: ceil(N / B), or floor(N / B) with <paramref name="dropLast"/>.</summary>
    public static int StepCount(int windows, int lanes, bool dropLast) =>
        dropLast ? windows / lanes : (windows + lanes - 1) / lanes;

    private static List<int> UnitStarts(IReadOnlyList<SequenceWindow> windows)
    {
        var starts = new List<int> { 0 };
        for (int i = 1; i < windows.Count; i++)
            if (!SameUnit(windows[i - 1], windows[i])) starts.Add(i);
        return starts;
    }

    private static bool SameUnit(SequenceWindow a, SequenceWindow b) => ReferenceEquals(a.Video, b.Video) && a.Segment == b.Segment;
}
