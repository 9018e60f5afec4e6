namespace Emotion.Video;

/// <summary>
/// Decides, frame by frame in decoding order, whether a frame is kept (see <see cref="FrameSampling"/>). With a target
/// rate, a frame is kept when it is the first in a new interval <c>[t0 + m/fps, t0 + (m+1)/fps)</c>, with a tolerance of
/// a microsecond for rounded timestamps.
/// </summary>
internal struct FrameSelector(int step, double? targetFps)
{
    private const double Tolerance = 1e-6; // seconds
    private double firstTime = double.NaN;
    private long lastBucket = -1;

    /// <summary>Whether the frame with 1-based number <paramref name="frameNumber"/> and time <paramref name="seconds"/> is kept.</summary>
    public bool Keep(int frameNumber, double seconds)
    {
        if (targetFps is not { } fps) return (frameNumber - 1) % step == 0;
        if (double.IsNaN(firstTime)) firstTime = seconds;
        long bucket = (long)Math.Floor((seconds - firstTime + Tolerance) * fps);
        if (bucket <= lastBucket) return false;
        lastBucket = bucket;
        return true;
    }
}
