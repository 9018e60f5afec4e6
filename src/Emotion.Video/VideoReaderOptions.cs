namespace Emotion.Video;

/// <summary>How a <see cref="VideoReader"/> decodes a video. The defaults decode every frame with ffmpeg from <c>PATH</c>.</summary>
public sealed record VideoReaderOptions
{
    /// <summary>The default options.</summary>
    public static VideoReaderOptions Default { get; } = new();

    /// <summary>Which frames are kept (default every frame).</summary>
    public FrameSampling Sampling { get; init; } = FrameSampling.All;

    /// <summary>Stop after this many kept frames, or null (default) for the whole video.</summary>
    public int? MaxFrames { get; init; }

    /// <summary>
    /// The folder holding ffmpeg and ffprobe, or null (default) for FFMpegCore's global <c>BinaryFolder</c> if the
    /// application configured one, else <c>PATH</c>. When a folder is set, only that folder is searched.
    /// </summary>
    public string? BinaryFolder { get; init; }

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public VideoReaderOptions Validate()
    {
        if (Sampling is null) throw new ArgumentException("Sampling must be set (FrameSampling.All for every frame).", nameof(Sampling));
        if (MaxFrames is < 1) throw new ArgumentException($"MaxFrames is {MaxFrames}; expected at least 1, or null for every frame.", nameof(MaxFrames));
        return this;
    }
}
