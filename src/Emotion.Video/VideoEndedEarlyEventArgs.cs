using System.Globalization;

namespace Emotion.Video;

/// <summary>
/// Raised by <see cref="VideoReader.EndedEarly"/> when ffmpeg finished without error but decoded fewer frames than the
/// container declares (its frame count, or its duration times its frame rate): typically a file cut short by an
/// interrupted copy or download. The frames read are valid; the rest of the video is missing.
/// </summary>
public sealed class VideoEndedEarlyEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public VideoEndedEarlyEventArgs(string path, long framesRead, long framesDeclared, double declaredDuration)
    {
        Path = path;
        FramesRead = framesRead;
        FramesDeclared = framesDeclared;
        DeclaredDuration = declaredDuration;
    }

    /// <summary>The video file.</summary>
    public string Path { get; }

    /// <summary>The frames ffmpeg decoded (before sampling).</summary>
    public long FramesRead { get; }

    /// <summary>The frames the container declares (<see cref="VideoInfo.EstimatedFrameCount"/>).</summary>
    public long FramesDeclared { get; }

    /// <summary>The duration the container declares, in seconds (0 when unknown).</summary>
    public double DeclaredDuration { get; }

    /// <summary>A one-line warning naming the file and both counts.</summary>
    public string Message =>
        $"video '{Path}' ended early: ffmpeg read {FramesRead} of the {FramesDeclared} frames the file declares" +
        (DeclaredDuration > 0 ? $" ({DeclaredDuration.ToString("0.##", CultureInfo.InvariantCulture)} s)" : "") +
        "; the file is probably truncated and the rest of the video is missing.";
}
