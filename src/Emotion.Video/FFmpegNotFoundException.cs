namespace Emotion.Video;

/// <summary>
/// The ffmpeg or ffprobe program was not found. The message names the program, where it was looked for, and what to
/// install (<see cref="InstallHint"/>) or which option points to a folder holding it.
/// </summary>
public sealed class FFmpegNotFoundException : InvalidOperationException
{
    /// <summary>How to install ffmpeg (which also provides ffprobe) on each platform, as quoted in the message.</summary>
    public const string InstallHint =
        "Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install Gyan.FFmpeg";

    /// <summary>Creates the exception.</summary>
    /// <param name="program">The missing program (<c>ffmpeg</c> or <c>ffprobe</c>).</param>
    /// <param name="searched">Where it was looked for, in words.</param>
    public FFmpegNotFoundException(string program, string searched)
        : base($"{program} was not found ({searched}). Video input needs the ffmpeg and ffprobe programs: install them " +
               $"({InstallHint}), or set {nameof(VideoReaderOptions)}.{nameof(VideoReaderOptions.BinaryFolder)} " +
               "(the CLI's --ffmpeg-dir) to the folder that holds them. Images and frame folders work without ffmpeg.")
    {
        Program = program;
    }

    /// <summary>The missing program (<c>ffmpeg</c> or <c>ffprobe</c>).</summary>
    public string Program { get; }
}
