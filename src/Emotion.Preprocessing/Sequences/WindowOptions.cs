namespace Emotion.Preprocessing.Sequences;

/// <summary>
/// How a video is cut into fixed-length sequences. The video's available frames (sorted by number) are first
/// subsampled (every <see cref="Subsample"/>-th available frame, starting with the first), then windows of
/// <see cref="Length"/> frames start every <see cref="Stride"/> positions. A stride larger than the length skips the
/// frames between windows; a stride smaller than the length makes windows overlap.
/// </summary>
public sealed record WindowOptions
{
    /// <summary>Frames per window (T).</summary>
    public int Length { get; init; } = 8;

    /// <summary>Positions between window starts (default: <see cref="Length"/>, i.e. non-overlapping).</summary>
    public int? Stride { get; init; }

    /// <summary>Keep every k-th available frame (1 = all).</summary>
    public int Subsample { get; init; } = 1;

    /// <summary>Pad (default) or drop the incomplete tail window.</summary>
    public TailMode Tail { get; init; } = TailMode.Pad;

    /// <summary>The stride in effect.</summary>
    public int EffectiveStride => Stride ?? Length;

    /// <summary>
    /// The evaluation setting: non-overlapping windows with a padded tail and no subsampling, so that every frame of
    /// every video appears in exactly one window, once (predictions map back to (video, frame number) without deduplication).
    /// </summary>
    public static WindowOptions ForEvaluation(int length) => new() { Length = length, Stride = length, Subsample = 1, Tail = TailMode.Pad };

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Length, stride or subsampling is below 1; the message names it.</exception>
    public WindowOptions Validate()
    {
        if (Length < 1) throw new ArgumentOutOfRangeException(nameof(Length), Length, "The window length must be at least 1 frame.");
        if (Stride is { } s && s < 1) throw new ArgumentOutOfRangeException(nameof(Stride), s, "The window stride must be at least 1 frame.");
        if (Subsample < 1) throw new ArgumentOutOfRangeException(nameof(Subsample), Subsample, "The subsampling step must be at least 1 (1 = every frame).");
        if (!Enum.IsDefined(Tail)) throw new ArgumentOutOfRangeException(nameof(Tail), Tail, "Unknown tail mode.");
        return this;
    }
}
