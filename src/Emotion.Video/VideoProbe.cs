using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace Emotion.Video;

/// <summary>Reads a video's size, frame rate, duration and frame count with ffprobe (through FFMpegCore).</summary>
public static class VideoProbe
{
    /// <summary>Probes <paramref name="path"/>.</summary>
    /// <param name="path">The video file.</param>
    /// <param name="binaryFolder">The folder holding ffprobe, or null to search <c>PATH</c>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FFmpegNotFoundException">ffprobe is not installed; the message says what to install.</exception>
    /// <exception cref="VideoDecodeException">The file is not a readable video; the message quotes ffprobe.</exception>
    public static VideoInfo Probe(string path, string? binaryFolder = null)
    {
        var options = Prepare(path, binaryFolder);
        try
        {
            return ToInfo(path, FFProbe.Analyse(path, options));
        }
        catch (Exception e) when (Translate(path, e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Probes <paramref name="path"/> asynchronously (see <see cref="Probe"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FFmpegNotFoundException">ffprobe is not installed.</exception>
    /// <exception cref="VideoDecodeException">The file is not a readable video.</exception>
    public static async Task<VideoInfo> ProbeAsync(string path, string? binaryFolder = null, CancellationToken cancellationToken = default)
    {
        var options = Prepare(path, binaryFolder);
        try
        {
            return ToInfo(path, await FFProbe.AnalyseAsync(path, options, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (Translate(path, e) is { } translated)
        {
            throw translated;
        }
    }

    private static FFOptions Prepare(string path, string? binaryFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"Video '{path}' is a folder, not a video file."
                : $"Video file '{path}' does not exist.", path);
        string ffprobe = FFmpegBinaries.Find("ffprobe", binaryFolder);
        return new FFOptions { BinaryFolder = Path.GetDirectoryName(ffprobe)! };
    }

    private static Exception? Translate(string path, Exception e) => e switch
    {
        FFProbeProcessException p => new VideoDecodeException(path, $"ffprobe failed (exit code {p.ExitCode}): {Said(p.StandardError)}", e),
        FFMpegException or JsonException or FormatException => new VideoDecodeException(path, $"ffprobe's output could not be read: {e.Message}", e),
        Win32Exception => new VideoDecodeException(path, $"ffprobe could not be started: {e.Message}", e),
        _ => null,
    };

    /// <summary>ffmpeg's or ffprobe's last stderr lines as one sentence.</summary>
    internal static string Said(IEnumerable<string> lines)
    {
        var text = string.Join(" | ", lines.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(6).Select(l => l.Trim()));
        return text.Length == 0 ? "(it printed nothing)" : text;
    }

    private static VideoInfo ToInfo(string path, IMediaAnalysis analysis)
    {
        var video = analysis.PrimaryVideoStream
            ?? throw new VideoDecodeException(path,
                $"it has no video stream (ffprobe found {analysis.AudioStreams.Count} audio and {analysis.SubtitleStreams.Count} subtitle streams).");
        if (video.Width is not > 0 || video.Height is not > 0)
            throw new VideoDecodeException(path, $"ffprobe reports no frame size for video stream {video.Index}.");
        int width = video.Width.Value, height = video.Height.Value;
        int rotation = video.Rotation;
        if (Math.Abs(rotation) % 180 == 90) (width, height) = (height, width);
        double rate = video.AverageFrameRate > 0 && double.IsFinite(video.AverageFrameRate) ? video.AverageFrameRate
            : video.RealFrameRate > 0 && double.IsFinite(video.RealFrameRate) ? video.RealFrameRate : 0;
        double duration = video.Duration > TimeSpan.Zero ? video.Duration.TotalSeconds : Math.Max(0, analysis.Duration.TotalSeconds);
        return new VideoInfo(path, width, height, rate, duration, FrameCount(analysis, video.Index), video.CodecName ?? "unknown", rotation);
    }

    private static long? FrameCount(IMediaAnalysis analysis, int index)
    {
        var stream = analysis.Raw?.Streams?.FirstOrDefault(s => s.Index == index);
        if (stream?.ExtensionData is not { } extra || !extra.TryGetValue("nb_frames", out var value)) return null;
        string? text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : null;
    }
}
