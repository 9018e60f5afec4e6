namespace Emotion.Video;

/// <summary>
/// A video could not be probed or decoded (a corrupt file, not a video, no video stream, ffmpeg failed part-way);
/// the message names the file and quotes what ffmpeg or ffprobe said.
/// </summary>
public sealed class VideoDecodeException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The video file.</param>
    /// <param name="reason">What went wrong, including ffmpeg's own words where it gave any.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public VideoDecodeException(string path, string reason, Exception? inner = null)
        : base($"Cannot read video '{path}': {reason}", inner)
    {
        VideoPath = path;
    }

    /// <summary>The video file.</summary>
    public string VideoPath { get; }
}
