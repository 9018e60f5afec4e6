namespace Emotion.FaceDetection.Tracking;

/// <summary>Options of <see cref="FaceTracker"/>.</summary>
public sealed record FaceTrackerOptions
{
    /// <summary>The default options.</summary>
    public static FaceTrackerOptions Default { get; } = new();

    /// <summary>
    /// The weight of a new detection in the exponentially smoothed box, in (0, 1]: <c>box = predicted + a (detected - predicted)</c>.
    /// 1 turns smoothing off; smaller values give steadier but slower boxes. Default 0.6.
    /// </summary>
    public float SmoothingFactor { get; init; } = 0.6f;

    /// <summary>
    /// The weight of a new detection in the track's velocity estimate, in [0, 1): <c>v += b (detected - predicted)</c>
    /// (an alpha-beta filter on the box centre). The velocity predicts where a moving face is in the next frame, which
    /// removes the smoothing lag and keeps crossing faces apart. 0 turns motion prediction off. Default 0.2.
    /// </summary>
    public float VelocityFactor { get; init; } = 0.2f;

    /// <summary>The frames a track survives without a matching detection before it ends. Default 10.</summary>
    public int MaxMissedFrames { get; init; } = 10;

    /// <summary>The smallest intersection over union between a track's predicted box and a detection for them to match. Default 0.2.</summary>
    public float MinIou { get; init; } = 0.2f;

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public FaceTrackerOptions Validate()
    {
        if (!(SmoothingFactor > 0f && SmoothingFactor <= 1f))
            throw new ArgumentOutOfRangeException(nameof(SmoothingFactor), SmoothingFactor, "Expected a smoothing factor in (0, 1].");
        if (!(VelocityFactor >= 0f && VelocityFactor < 1f))
            throw new ArgumentOutOfRangeException(nameof(VelocityFactor), VelocityFactor, "Expected a velocity factor in [0, 1).");
        if (MaxMissedFrames < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxMissedFrames), MaxMissedFrames, "Expected a non-negative number of missed frames.");
        if (!(MinIou > 0f && MinIou <= 1f))
            throw new ArgumentOutOfRangeException(nameof(MinIou), MinIou, "Expected a minimum IoU in (0, 1].");
        return this;
    }
}
