using System.Diagnostics;

namespace Emotion.Testing;

/// <summary>Runs the ffmpeg program from <c>PATH</c> to make test videos from frame files (test projects include this file as a link).</summary>
internal static class FFmpegTestTool
{
    /// <summary>
    /// Encodes the numbered frames <c>00001.png</c>, <c>00002.png</c>, ... (or .jpg) of <paramref name="folder"/> into
    /// <paramref name="output"/> at <paramref name="fps"/> frames per second with the given codec arguments
    /// (for example <c>-c:v ffv1</c> or <c>-c:v libx264 -qp 0 -pix_fmt yuv444p</c>).
    /// </summary>
    public static string EncodeFrames(string folder, string output, string codecArguments, double fps = 25, string extension = "png")
    {
        string pattern = Path.Combine(folder, "%05d." + extension);
        Run($"-framerate {fps.ToString(System.Globalization.CultureInfo.InvariantCulture)} -i \"{pattern}\" {codecArguments} \"{output}\"");
        return output;
    }

    /// <summary>Runs ffmpeg with <paramref name="arguments"/> (plus -y and quiet logging) and fails with its stderr when it fails.</summary>
    public static void Run(string arguments)
    {
        var info = new ProcessStartInfo("ffmpeg", "-y -hide_banner -nostdin -loglevel error " + arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {arguments} failed ({process.ExitCode}): {error}");
    }

    /// <summary>The ids of running ffmpeg processes whose command line mentions <paramref name="text"/> (Linux /proc; empty elsewhere).</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        if (!Directory.Exists("/proc")) return found;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("ffmpeg", StringComparison.Ordinal) && cmdline.Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
