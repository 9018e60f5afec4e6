namespace Emotion.Core.Sequences;

/// <summary>
/// The one rule for gaps in frame numbers, applied alike in training, evaluation and deployment: <b>a sequence never
/// spans missing frames</b>. Frames are numbered (1-based, as in Aff-Wild2, where a frame without a detected face has
/// no image and no label). Two frames are neighbours when their numbers differ by exactly one; anything else is a gap.
/// <list type="bullet">
/// <item>Windowing (training and windowed evaluation) first splits a video into <em>segments</em>, maximal runs of
/// consecutive numbers (<see cref="Segments(ReadOnlySpan{int})"/>), and cuts windows inside each segment only, so no
/// window holds two frames that are not neighbours.</item>
/// <item>Streaming (stateful training, streaming evaluation, <c>EmotionStream</c>, <c>FrameSequencePredictor</c>, the
/// video predictor) resets the recurrent state before a frame that does not follow its predecessor
/// (<see cref="BreaksSequence(int, int)"/>).</item>
/// </list>
/// Splitting a window at a gap and resetting a stream at the gap are the same rule: the recurrent state after the gap
/// starts from zero in both, so a streamed video and its windows see the same context boundaries.
/// </summary>
public static class FrameGaps
{
    /// <summary>
    /// True when <paramref name="number"/> cannot continue a sequence whose last frame is
    /// <paramref name="previousNumber"/>: it is not exactly <paramref name="previousNumber"/> + 1 (a skip forward, a
    /// repeat, or a jump back all start a new sequence).
    /// </summary>
    public static bool BreaksSequence(int previousNumber, int number) => number != previousNumber + 1;

    /// <summary>
    /// The segments of a list of frame numbers: maximal runs where each number is its predecessor + 1, as ranges of
    /// positions into <paramref name="numbers"/>, in order. An empty list has no segment.
    /// </summary>
    public static IReadOnlyList<Range> Segments(ReadOnlySpan<int> numbers)
    {
        var segments = new List<Range>();
        if (numbers.IsEmpty) return segments;
        int start = 0;
        for (int i = 1; i < numbers.Length; i++)
        {
            if (!BreaksSequence(numbers[i - 1], numbers[i])) continue;
            segments.Add(start..i);
            start = i;
        }
        segments.Add(start..numbers.Length);
        return segments;
    }

    /// <summary>The segments of a list of frame numbers (see <see cref="Segments(ReadOnlySpan{int})"/>).</summary>
    public static IReadOnlyList<Range> Segments(IReadOnlyList<int> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var copy = new int[numbers.Count];
        for (int i = 0; i < copy.Length; i++) copy[i] = numbers[i];
        return Segments(copy);
    }
}
