using System.Globalization;
using System.Text.RegularExpressions;

namespace Emotion.Video;

/// <summary>
/// What ffmpeg's <c>showinfo</c> filter logs for one frame just before the frame's pixels go to the pipe: its 0-based
/// index, its presentation time and its size.
/// </summary>
internal readonly record struct FrameHeader(int Index, double TimeSeconds, int Width, int Height)
{
    // ffmpeg 5.1 with -loglevel level+info:
    // "[Parsed_showinfo_1 @ 0x..] [info] n:   0 pts:      1 pts_time:0.0417084 pos:    22268 fmt:rgb24 sar:1/1 s:720x528 ..."
    // ffmpeg 6+ adds duration fields and drops pos; the fields used here keep their names.
    private static readonly Regex Pattern = new(
        @"Parsed_showinfo_\d+ @ [^\]]*\]\s+(?:\[info\]\s+)?n:\s*(?<n>\d+)\s+pts:\s*\S+\s+pts_time:(?<t>\S+).*?\ss:(?<w>\d+)x(?<h>\d+)",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>Parses a showinfo frame line; false for any other line (stream info, warnings, showinfo's extra lines).</summary>
    public static bool TryParse(string line, out FrameHeader header)
    {
        header = default;
        if (!line.Contains("Parsed_showinfo", StringComparison.Ordinal)) return false;
        var m = Pattern.Match(line);
        if (!m.Success) return false;
        if (!int.TryParse(m.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || !int.TryParse(m.Groups["w"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(m.Groups["h"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || w < 1 || h < 1)
            return false;
        double t = double.TryParse(m.Groups["t"].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && double.IsFinite(value) ? value : double.NaN;
        header = new FrameHeader(n, t, w, h);
        return true;
    }
}
