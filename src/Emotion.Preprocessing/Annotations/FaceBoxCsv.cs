using Emotion.Core.Faces;

using System.Globalization;
using CsvHelper;

namespace Emotion.Preprocessing.Annotations;

/// <summary>
/// Reads face boxes from a CSV file with the header <c>video,frame,x,y,w,h</c> (any order, case-insensitive, extra
/// columns ignored): the video id, the 1-based frame number, and the box's left, top, width and height in pixels of the
/// full video frame. A (video, frame) pair may appear only once; frames without a row have no box.
/// </summary>
public static class FaceBoxCsv
{
    /// <summary>The required columns.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["video", "frame", "x", "y", "w", "h"];

    /// <summary>Reads a face box file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="AnnotationFormatException">The header is missing or incomplete, a frame number or coordinate is not
    /// a number, a width or height is not positive, or a frame appears twice; the message names the file and line.</exception>
    public static FaceBoxTable Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Face box file '{path}' does not exist.", path);
        var boxes = new Dictionary<(string, int), FaceBox>();
        var lines = new Dictionary<(string, int), int>();
        using var csv = CsvReader.FromFile(path, new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, Separator = ',' });
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        string expected = $"expected the header '{string.Join(',', Columns)}'";
        if (header.Count == 0) Fail(path, 1, $"the file is empty; {expected}.");
        var missing = Columns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0) Fail(path, 1, $"missing column(s) {string.Join(", ", missing)}; {expected} (the header row is required).");
        while (csv.Read())
        {
            int line = checked((int)csv.LineNumber);
            string video = csv.GetString("video")?.Trim() ?? "";
            if (video.Length == 0) Fail(path, line, "empty video id.");
            string frameText = csv.GetString("frame")?.Trim() ?? "";
            if (!int.TryParse(frameText, NumberStyles.None, CultureInfo.InvariantCulture, out int frame) || frame < 1)
                Fail(path, line, $"frame '{frameText}' is not a 1-based frame number.");
            float x = Number(path, line, csv, "x"), y = Number(path, line, csv, "y");
            float w = Number(path, line, csv, "w"), h = Number(path, line, csv, "h");
            if (!(w > 0 && h > 0)) Fail(path, line, $"the box is {w}x{h}; width and height must be positive.");
            if (!lines.TryAdd((video, frame), line))
                Fail(path, line, $"video '{video}' frame {frame} already has a box on line {lines[(video, frame)]}.");
            boxes[(video, frame)] = new FaceBox(x, y, w, h);
        }
        return new FaceBoxTable(boxes);
    }

    private static float Number(string path, int line, CsvReader csv, string column)
    {
        string text = csv.GetString(column)?.Trim() ?? "";
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            Fail(path, line, $"{column} '{text}' is not a number.");
        return value;
    }

    private static void Fail(string path, int line, string message) =>
        throw new AnnotationFormatException(new AnnotationIssue(path, line, message));
}
