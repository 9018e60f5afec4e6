namespace Emotion.Synthetic;

/// <summary>What <see cref="SyntheticDatasetGenerator"/> writes.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Number of videos (training and validation together).</summary>
    public int Videos { get; init; } = 40;

    /// <summary>Frames per video (annotation lines; a few frame images are missing on purpose).</summary>
    public int FramesPerVideo { get; init; } = 100;

    /// <summary>Frame width and height in pixels.</summary>
    public int FrameSize { get; init; } = 96;

    /// <summary>The seed; the same seed and options give byte-identical files.</summary>
    public long Seed { get; init; } = 2019;

    /// <summary>Fraction of the videos (the last ones) put in the validation split.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>JPEG quality (1-100).</summary>
    public int JpegQuality { get; init; } = 90;

    /// <summary>Probability that a frame has no image (no face found), exercising alignment by number.</summary>
    public double MissingFrameRate { get; init; } = 0.03;

    /// <summary>Probability that a frame's expression is unlabeled (-1), and, independently, that its valence/arousal is (-5).</summary>
    public double UnlabeledRate { get; init; } = 0.03;

    /// <summary>Shortest expression segment in frames (onset, apex, offset).</summary>
    public int MinSegmentLength { get; init; } = 12;

    /// <summary>Longest expression segment in frames.</summary>
    public int MaxSegmentLength { get; init; } = 28;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public SyntheticDatasetOptions Validate()
    {
        if (Videos < 1) throw new ArgumentOutOfRangeException(nameof(Videos), Videos, "At least one video.");
        if (FramesPerVideo < 1) throw new ArgumentOutOfRangeException(nameof(FramesPerVideo), FramesPerVideo, "At least one frame per video.");
        if (FrameSize < 32 || FrameSize > 1024) throw new ArgumentOutOfRangeException(nameof(FrameSize), FrameSize, "Expected a frame size in [32, 1024].");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "Expected a fraction in [0, 1).");
        if (JpegQuality < 1 || JpegQuality > 100) throw new ArgumentOutOfRangeException(nameof(JpegQuality), JpegQuality, "Expected a JPEG quality in [1, 100].");
        if (!(MissingFrameRate >= 0 && MissingFrameRate < 0.5)) throw new ArgumentOutOfRangeException(nameof(MissingFrameRate), MissingFrameRate, "Expected a rate in [0, 0.5).");
        if (!(UnlabeledRate >= 0 && UnlabeledRate < 0.5)) throw new ArgumentOutOfRangeException(nameof(UnlabeledRate), UnlabeledRate, "Expected a rate in [0, 0.5).");
        if (MinSegmentLength < 3) throw new ArgumentOutOfRangeException(nameof(MinSegmentLength), MinSegmentLength, "Segments need at least 3 frames.");
        if (MaxSegmentLength < MinSegmentLength) throw new ArgumentOutOfRangeException(nameof(MaxSegmentLength), MaxSegmentLength, "Must be at least MinSegmentLength.");
        return this;
    }

    /// <summary>Number of validation videos: round(Videos x ValidationFraction), at least 1 when the fraction is positive and there are 2+ videos.</summary>
    public int ValidationVideos
    {
        get
        {
            if (ValidationFraction <= 0 || Videos < 2) return 0;
            return Math.Clamp((int)Math.Round(Videos * ValidationFraction), 1, Videos - 1);
        }
    }
}
