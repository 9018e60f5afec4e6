using FFMpegCore;

namespace Emotion.Video;

/// <summary>
/// Finds the ffmpeg and ffprobe programs: in a given folder only (no fallback, so that a wrong folder is reported rather
/// than silently replaced); else in FFMpegCore's global <c>BinaryFolder</c> when the application configured one
/// (<c>GlobalFFOptions.Configure</c> or an <c>ffmpeg.config.json</c>); else on <c>PATH</c>.
/// </summary>
/// <param name="FFmpegPath">The full path of ffmpeg.</param>
/// <param name="FFprobePath">The full path of ffprobe.</param>
public sealed record FFmpegBinaries(string FFmpegPath, string FFprobePath)
{
    /// <summary>The folder holding ffprobe (what FFMpegCore's <c>FFOptions.BinaryFolder</c> wants).</summary>
    public string FFprobeFolder => Path.GetDirectoryName(FFprobePath)!;

    /// <summary>Locates both programs.</summary>
    /// <param name="binaryFolder">The folder that holds them, or null for FFMpegCore's global folder or <c>PATH</c>.</param>
    /// <exception cref="FFmpegNotFoundException">A program is missing; the message says what to install.</exception>
    public static FFmpegBinaries Locate(string? binaryFolder = null) =>
        new(Find("ffmpeg", binaryFolder), Find("ffprobe", binaryFolder));

    /// <summary>Locates one program (<c>ffmpeg</c> or <c>ffprobe</c>).</summary>
    /// <param name="program">The program name without extension.</param>
    /// <param name="binaryFolder">The folder that holds it, or null for FFMpegCore's global folder or <c>PATH</c>.</param>
    /// <exception cref="FFmpegNotFoundException">The program is missing.</exception>
    public static string Find(string program, string? binaryFolder = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        if (string.IsNullOrWhiteSpace(binaryFolder)) binaryFolder = GlobalFFOptions.Current.BinaryFolder;
        string file = OperatingSystem.IsWindows() ? program + ".exe" : program;
        if (!string.IsNullOrWhiteSpace(binaryFolder))
        {
            var candidate = Path.Combine(Path.GetFullPath(binaryFolder), file);
            return File.Exists(candidate) ? candidate
                : throw new FFmpegNotFoundException(program, $"looked for '{candidate}' in the configured binary folder");
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = Path.Combine(folder, file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FFmpegNotFoundException(program, "searched every folder on PATH");
    }
}
