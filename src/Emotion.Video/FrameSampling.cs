using System.Globalization;

namespace Emotion.Video;

/// <summary>
/// Which decoded frames of a video are kept: every frame, every k-th frame (frames 1, 1+k, 1+2k, ...), or about
/// <see cref="TargetFps"/> frames per second chosen by timestamp (the first frame in each <c>1/fps</c> interval from the
/// first frame's time, so a variable-frame-rate video is sampled evenly in time).
/// </summary>
public sealed record FrameSampling
{
    private FrameSampling(int step, double? targetFps)
    {
        Step = step;
        TargetFps = targetFps;
    }

    /// <summary>Every frame.</summary>
    public static FrameSampling All { get; } = new(1, null);

    /// <summary>Keep every k-th frame, starting with the first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1.</exception>
    public static FrameSampling EveryNth(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return k == 1 ? All : new FrameSampling(k, null);
    }

    /// <summary>Keep about <paramref name="fps"/> frames per second, selected by timestamp; a rate at or above the video's keeps every frame.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number.</exception>
    public static FrameSampling TargetRate(double fps)
    {
        if (!(fps > 0) || !double.IsFinite(fps))
            throw new ArgumentOutOfRangeException(nameof(fps), fps, "Expected a positive, finite frame rate.");
        return new FrameSampling(1, fps);
    }

    /// <summary>Keep every <see cref="Step"/>-th frame (1 = every frame); ignored when <see cref="TargetFps"/> is set.</summary>
    public int Step { get; }

    /// <summary>The target frame rate, or null when sampling by <see cref="Step"/>.</summary>
    public double? TargetFps { get; }

    /// <inheritdoc />
    public override string ToString() => TargetFps is { } fps
        ? $"{fps.ToString("0.###", CultureInfo.InvariantCulture)} fps"
        : Step == 1 ? "every frame" : $"every {Step.ToString(CultureInfo.InvariantCulture)}th frame";

    /// <summary>A fresh selector for one pass over a video.</summary>
    internal FrameSelector CreateSelector() => new(Step, TargetFps);
}
