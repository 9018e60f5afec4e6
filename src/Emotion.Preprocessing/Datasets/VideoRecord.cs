using Emotion.Core;
using Emotion.Preprocessing.Frames;

namespace Emotion.Preprocessing.Datasets;

/// <summary>
/// A video: its id and its available frames sorted by frame number (numbers may have gaps where no face was found;
/// labels are aligned by number, so gaps skip frames and never shift labels).
/// </summary>
public sealed class VideoRecord
{
    /// <summary>Creates a video.</summary>
    /// <param name="id">The video id (for Aff-Wild2, the folder and annotation file name).</param>
    /// <param name="frames">The frames, sorted by strictly increasing number.</param>
    /// <exception cref="ArgumentException">The id is empty or the frames are not strictly increasing by number.</exception>
    public VideoRecord(string id, IEnumerable<VideoFrame> frames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(frames);
        var list = frames.ToArray();
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i].Number < 1)
                throw new ArgumentException($"Video '{id}': frame numbers are 1-based, got {list[i].Number}.", nameof(frames));
            if (i > 0 && list[i].Number <= list[i - 1].Number)
                throw new ArgumentException($"Video '{id}': frames must be sorted by strictly increasing number ({list[i - 1].Number} then {list[i].Number}).", nameof(frames));
        }
        Id = id;
        Frames = list;
    }

    /// <summary>The video id.</summary>
    public string Id { get; }

    /// <summary>The available frames, sorted by number.</summary>
    public IReadOnlyList<VideoFrame> Frames { get; }

    /// <summary>The number of available frames.</summary>
    public int FrameCount => Frames.Count;

    /// <summary>An unlabeled video from numbered frames (e.g. <see cref="FrameSources.FromFolder"/>).</summary>
    public static VideoRecord FromFrames(string id, IEnumerable<NumberedFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return new VideoRecord(id, frames.Select(f => new VideoFrame(f.Number, f.Source, FrameLabel.Unlabeled)));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({FrameCount} frames)";
}
