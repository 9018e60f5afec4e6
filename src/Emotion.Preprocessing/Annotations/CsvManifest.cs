using System.Globalization;
using CsvHelper;
using Emotion.Core;
using Emotion.Core.IO;

namespace Emotion.Preprocessing.Annotations;

/// <summary>
/// A simple CSV manifest for people's own data, read and written with CsvHelper. Columns (header required, any order,
/// case-insensitive): <c>video,frame,category,valence,arousal</c> and an optional <c>path</c>.
/// <list type="bullet">
/// <item><c>frame</c>: the 1-based frame number (integer).</item>
/// <item><c>category</c>: a name (<c>happiness</c>, <c>Happiness</c>, ...) or an index 0-7; empty or -1 = unlabeled; 7/<c>other</c> is masked unless <see cref="AnnotationLoadOptions.IncludeOther"/>.</item>
/// <item><c>valence</c>, <c>arousal</c>: numbers in [-1, 1]; empty or -5 = unlabeled.</item>
/// <item><c>path</c>: the frame's image, absolute or relative to the manifest's folder; when the column is absent, frames are looked up by number in a folder per video.</item>
/// </list>
/// A (video, frame) pair may appear only once.
/// </summary>
public static class CsvManifest
{
    private static readonly string[] Columns = ["video", "frame", "category", "valence", "arousal"];

    /// <summary>Reads a manifest.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Strict or lenient (null = strict).</param>
    /// <param name="issues">Receives problems in lenient mode (the bad row is skipped, or the bad value unlabeled).</param>
    /// <exception cref="AnnotationFormatException">Strict mode: a missing column, a bad number, an unknown category, a value outside [-1, 1], a duplicate frame; the message names file and line.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<ManifestEntry> Read(string path, AnnotationLoadOptions? options = null, ICollection<AnnotationIssue>? issues = null) =>
        ReadWithLines(path, options, issues).Select(e => e.Entry).ToList();

    /// <summary>As <see cref="Read"/>, with each entry's 1-based line number (header = line 1) for later messages.</summary>
    internal static List<(ManifestEntry Entry, int Line)> ReadWithLines(string path, AnnotationLoadOptions? options, ICollection<AnnotationIssue>? issues)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Manifest '{path}' does not exist.", path);
        options ??= AnnotationLoadOptions.Strict;
        var sink = new IssueSink(options, issues);
        var entries = new List<(ManifestEntry, int)>();
        var seen = new HashSet<(string, int)>();
        var readerOptions = new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, Separator = ',' };
        using var csv = CsvReader.FromFile(path, readerOptions);
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToHashSet();
        if (header.Count == 0)
        {
            sink.Report(path, 1, $"the manifest is empty; expected the header '{string.Join(',', Columns)}[,path]'.");
            return entries;
        }
        var missing = Columns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            sink.Report(path, 1, $"missing column(s) {string.Join(", ", missing)}; expected the header '{string.Join(',', Columns)}[,path]'.");
            return entries;
        }
        bool hasPath = header.Contains("path");
        int columns = csv.Headers.Count;
        while (csv.Read())
        {
            int line = checked((int)csv.LineNumber);
            if (csv.FieldCount != columns)
            {
                sink.Report(path, line, $"the row has {csv.FieldCount} field(s) but the header has {columns} ({string.Join(',', csv.Headers)}); " +
                                        (csv.FieldCount < columns ? "a field is missing (empty fields still need their commas)." : "there are extra fields."));
                continue;
            }
            var video = csv.GetString("video")?.Trim() ?? "";
            if (video.Length == 0)
            {
                sink.Report(path, line, "empty video id.");
                continue;
            }
            var frameText = csv.GetString("frame") ?? "";
            if (!int.TryParse(frameText, NumberStyles.None, CultureInfo.InvariantCulture, out int frame) || frame < 1)
            {
                sink.Report(path, line, $"frame '{frameText}' is not a 1-based frame number.");
                continue;
            }
            if (!seen.Add((video, frame)))
            {
                sink.Report(path, line, $"video '{video}' frame {frame} appears twice.");
                continue;
            }
            var category = ParseCategory(path, line, csv.GetString("category"), options, sink);
            var valence = ParseValue(path, line, "valence", csv.GetString("valence"), sink);
            var arousal = ParseValue(path, line, "arousal", csv.GetString("arousal"), sink);
            string? framePath = hasPath ? NullIfEmpty(csv.GetString("path")) : null;
            entries.Add((new ManifestEntry(video, frame, new FrameLabel(category, valence, arousal), framePath), line));
        }
        return entries;
    }

    /// <summary>Writes a manifest with the columns <c>video,frame,category,valence,arousal</c> (plus <c>path</c> when any entry has one). Categories are written as names, unlabeled values as empty fields.</summary>
    /// <param name="path">The CSV file to create or overwrite.</param>
    /// <param name="entries">The rows.</param>
    public static void Write(string path, IEnumerable<ManifestEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.ToList();
        bool hasPath = rows.Any(r => r.Path is not null);
        using var writer = new StreamWriter(path);
        using var csv = CsvWriter.Create(writer, CsvDialect.WriterOptions);
        csv.WriteRecord(hasPath ? [.. Columns, "path"] : Columns);
        foreach (var row in rows)
        {
            var fields = new List<string>(6)
            {
                row.Video,
                row.Frame.ToString(CultureInfo.InvariantCulture),
                row.Label.Category?.ToName() ?? "",
                row.Label.Valence?.ToString("R", CultureInfo.InvariantCulture) ?? "",
                row.Label.Arousal?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            };
            if (hasPath) fields.Add(row.Path ?? "");
            csv.WriteRecord(fields.ToArray());
        }
    }

    private static EmotionCategory? ParseCategory(string file, int line, string? text, AnnotationLoadOptions options, IssueSink sink)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text == "-1") return null;
        EmotionCategory category;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
        {
            if (index < 0 || index > (int)EmotionCategory.Other)
            {
                sink.Report(file, line, $"unknown category index {index}; expected 0-7 or -1/empty for unlabeled.");
                return null;
            }
            category = (EmotionCategory)index;
        }
        else if (!EmotionCategories.TryParse(text, out category))
        {
            sink.Report(file, line, $"unknown category '{text}'; expected a name such as happiness, an index 0-7, or empty for unlabeled.");
            return null;
        }
        return category == EmotionCategory.Other && !options.IncludeOther ? null : category;
    }

    private static float? ParseValue(string file, int line, string name, string? text, IssueSink sink)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) || !float.IsFinite(x))
        {
            sink.Report(file, line, $"{name} '{text}' is not a number.");
            return null;
        }
        if (x == AffWild2Annotations.UnlabeledValenceArousal) return null;
        if (!(x >= -1f && x <= 1f))
        {
            sink.Report(file, line, $"{name} {text} is outside [-1, 1] (empty or -5 mark unlabeled).");
            return null;
        }
        return x;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
