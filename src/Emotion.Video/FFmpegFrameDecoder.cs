using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Emotion.Video;

/// <summary>
/// One ffmpeg process decoding a video's first video stream to raw rgb24 on its stdout, with a <c>showinfo</c> line per
/// frame on stderr giving the frame's index, time and size. Frames are pulled one at a time: ffmpeg blocks on the full
/// pipe while the consumer is busy, so memory stays at one frame plus the operating system's pipe buffer. Disposing kills
/// the process if it is still running.
/// </summary>
internal sealed class FFmpegFrameDecoder : IDisposable
{
    private const int TailLines = 40;
    private readonly Process process;
    private readonly Stream stdout;
    private readonly Channel<FrameHeader> headers = Channel.CreateUnbounded<FrameHeader>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Queue<string> tail = new();
    private readonly Task stderrPump;
    private int disposed;

    private FFmpegFrameDecoder(Process process, string videoPath)
    {
        this.process = process;
        VideoPath = videoPath;
        stdout = process.StandardOutput.BaseStream;
        stderrPump = Task.Run(PumpStandardError);
    }

    /// <summary>The video being decoded.</summary>
    public string VideoPath { get; }

    /// <summary>The ffmpeg process id (for diagnostics and tests).</summary>
    public int ProcessId => process.Id;

    /// <summary>Starts ffmpeg on <paramref name="videoPath"/>.</summary>
    /// <exception cref="VideoDecodeException">ffmpeg could not be started.</exception>
    public static FFmpegFrameDecoder Start(string ffmpegPath, string videoPath)
    {
        var info = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in Arguments(videoPath)) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new VideoDecodeException(videoPath, $"ffmpeg ('{ffmpegPath}') could not be started: {e.Message}", e);
        }
        return new FFmpegFrameDecoder(process, videoPath);
    }

    /// <summary>The ffmpeg command line after the program name.</summary>
    internal static IReadOnlyList<string> Arguments(string videoPath) =>
    [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info", // [level] tags: errors and warnings are kept for messages, showinfo lines parsed
        "-i", "file:" + Path.GetFullPath(videoPath),
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-fps_mode", "passthrough", // one output frame per decoded frame: no duplicates or drops for a constant rate
        "-vf", "format=rgb24,showinfo",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
    ];

    /// <summary>The next frame's header, or null at the end of the stream (blocks until ffmpeg logs it).</summary>
    public FrameHeader? ReadHeader(CancellationToken cancellationToken)
    {
        if (headers.Reader.TryRead(out var header)) return header;
        return ReadHeaderAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The next frame's header, or null at the end of the stream.</summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        while (await headers.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            if (headers.Reader.TryRead(out var header)) return header;
        return null;
    }

    /// <summary>Reads one frame's pixels; false when ffmpeg's output ended first.</summary>
    public bool ReadPixels(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = stdout.Read(destination[total..]);
            if (n == 0) return false;
            total += n;
        }
        return true;
    }

    /// <summary>Reads one frame's pixels; false when ffmpeg's output ended first.</summary>
    public async ValueTask<bool> ReadPixelsAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = await stdout.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0) return false;
            total += n;
        }
        return true;
    }

    /// <summary>
    /// Waits for ffmpeg to exit after its output ended and throws when it failed.
    /// </summary>
    /// <exception cref="VideoDecodeException">ffmpeg exited with an error; the message quotes it.</exception>
    public void Finish()
    {
        process.WaitForExit();
        stderrPump.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
            throw new VideoDecodeException(VideoPath, $"ffmpeg failed (exit code {process.ExitCode}): {Said()}");
    }

    /// <summary>Waits for ffmpeg to exit after its output ended and throws when it failed.</summary>
    /// <exception cref="VideoDecodeException">ffmpeg exited with an error.</exception>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await stderrPump.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new VideoDecodeException(VideoPath, $"ffmpeg failed (exit code {process.ExitCode}): {Said()}");
    }

    /// <summary>ffmpeg's last error and warning lines as one sentence.</summary>
    public string Said()
    {
        lock (tail) return VideoProbe.Said([.. tail]);
    }

    /// <summary>Stops ffmpeg now (used for cancellation); the pending reads then end.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill();
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
        catch (Win32Exception)
        {
            // it is exiting
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        Kill();
        try
        {
            process.WaitForExit(5000);
            stderrPump.Wait(5000);
        }
        catch (AggregateException)
        {
            // the pump only fails when the process is gone; nothing to report while disposing
        }
        process.Dispose();
    }

    private static bool IsProblem(string line) =>
        line.Contains("[error]", StringComparison.Ordinal) || line.Contains("[fatal]", StringComparison.Ordinal)
        || line.Contains("[panic]", StringComparison.Ordinal) || line.Contains("[warning]", StringComparison.Ordinal);

    private async Task PumpStandardError()
    {
        try
        {
            var reader = process.StandardError;
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (FrameHeader.TryParse(line, out var header))
                {
                    headers.Writer.TryWrite(header);
                    continue;
                }
                if (!IsProblem(line)) continue;
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > TailLines) tail.Dequeue();
                }
            }
        }
        catch (IOException)
        {
            // the process was killed
        }
        catch (ObjectDisposedException)
        {
            // the process was disposed
        }
        finally
        {
            headers.Writer.TryComplete();
        }
    }
}
