namespace Emotion.Video;

/// <summary>What ffprobe reports about a video's primary video stream.</summary>
/// <param name="Path">The file.</param>
/// <param name="Width">The width of decoded frames in pixels (after the rotation ffmpeg applies).</param>
/// <param name="Height">The height of decoded frames in pixels (after rotation).</param>
/// <param name="FrameRate">The average frame rate in frames per second (0 when the file does not say).</param>
/// <param name="Duration">The duration in seconds (of the stream, or of the file when the stream has none; 0 when unknown).</param>
/// <param name="FrameCount">The number of frames when the container records it (avi, mp4, mov); null otherwise (mkv, webm).</param>
/// <param name="Codec">The codec name (for example h264, ffv1, vp9).</param>
/// <param name="Rotation">The rotation in degrees from the file's display matrix (0 when none).</param>
public sealed record VideoInfo(string Path, int Width, int Height, double FrameRate, double Duration, long? FrameCount, string Codec, int Rotation)
{
    /// <summary><see cref="FrameCount"/> where known, otherwise the duration times the frame rate, rounded (0 when neither is known).</summary>
    public long EstimatedFrameCount => FrameCount ?? (long)Math.Round(Duration * FrameRate);
}
