namespace Emotion.Video;

/// <summary>The video file extensions the tools accept by name. The library itself opens whatever ffmpeg decodes.</summary>
public static class VideoFormats
{
    /// <summary>The recognised video extensions (case-insensitive): mp4, avi, mkv, webm, mov.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".mp4", ".avi", ".mkv", ".webm", ".mov"];

    /// <summary>Whether <paramref name="path"/> has one of the <see cref="Extensions"/>.</summary>
    public static bool IsVideoFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = Path.GetExtension(path);
        foreach (var e in Extensions)
            if (string.Equals(e, ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
