using Emotion.Preprocessing.Datasets;

namespace Emotion.Preprocessing.Sequences;

/// <summary>
/// One fixed-length sequence of a video: the positions (indices into <see cref="VideoRecord.Frames"/>) of its real
/// frames, followed by <see cref="Length"/> - <see cref="ValidCount"/> padding positions at the end.
/// </summary>
public sealed class SequenceWindow
{
    private readonly int[] _frameIndices;

    /// <summary>Creates a window.</summary>
    /// <param name="video">The video.</param>
    /// <param name="frameIndices">Indices of the real frames in <see cref="VideoRecord.Frames"/>, in time order.</param>
    /// <param name="length">The window length T.</param>
    /// <param name="segment">Which segment of consecutive frame numbers of the video the window lies in (0-based).</param>
    /// <param name="followsPrevious">
    /// True when the window's first frame comes right after the last frame of the window before it in the same segment
    /// (non-overlapping windows): a stateful trainer may carry the recurrent state across.
    /// </param>
    /// <exception cref="ArgumentException">No frame, more frames than the length, or an index outside the video.</exception>
    public SequenceWindow(VideoRecord video, int[] frameIndices, int length, int segment = 0, bool followsPrevious = false)
    {
        Video = video ?? throw new ArgumentNullException(nameof(video));
        ArgumentNullException.ThrowIfNull(frameIndices);
        if (frameIndices.Length == 0 || frameIndices.Length > length)
            throw new ArgumentException($"A window of length {length} needs 1 to {length} frames, got {frameIndices.Length}.", nameof(frameIndices));
        foreach (var i in frameIndices)
            if ((uint)i >= (uint)video.FrameCount)
                throw new ArgumentException($"Frame index {i} is outside video '{video.Id}' ({video.FrameCount} frames).", nameof(frameIndices));
        ArgumentOutOfRangeException.ThrowIfNegative(segment);
        _frameIndices = frameIndices;
        Length = length;
        Segment = segment;
        FollowsPrevious = followsPrevious;
    }

    /// <summary>The segment (run of consecutive frame numbers) of the video that holds this window, 0-based.</summary>
    public int Segment { get; }

    /// <summary>
    /// True when this window continues the previous window of the same segment without overlap or skipped frames, so
    /// the recurrent state at the end of that window is a valid start for this one (stateful training).
    /// </summary>
    public bool FollowsPrevious { get; }

    /// <summary>The video.</summary>
    public VideoRecord Video { get; }

    /// <summary>The window length T (real frames plus padding).</summary>
    public int Length { get; }

    /// <summary>The number of real frames; positions from here to <see cref="Length"/> are padding.</summary>
    public int ValidCount => _frameIndices.Length;

    /// <summary>Indices of the real frames in <see cref="VideoRecord.Frames"/>, in time order.</summary>
    public IReadOnlyList<int> FrameIndices => _frameIndices;

    /// <summary>The real frame at position <paramref name="t"/> (0 &lt;= t &lt; <see cref="ValidCount"/>).</summary>
    public VideoFrame Frame(int t) => Video.Frames[_frameIndices[t]];

    /// <summary>The frame numbers of the real frames.</summary>
    public IEnumerable<int> FrameNumbers => _frameIndices.Select(i => Video.Frames[i].Number);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Video.Id}[{Video.Frames[_frameIndices[0]].Number}..{Video.Frames[_frameIndices[^1]].Number}] {ValidCount}/{Length}";
}
