using System.Collections.Immutable;
using System.Globalization;
using CsvHelper;
using Emotion.Core;
using Emotion.Core.IO;

namespace Emotion.Preprocessing.Annotations;

/// <summary>One row of a predictions file: a frame of a video, optionally its time in seconds, and the model's prediction.</summary>
/// <param name="VideoId">The video (or folder, or file) the frame belongs to.</param>
/// <param name="Prediction">The prediction; its <see cref="FramePrediction.FrameNumber"/> is the frame's number in its video.</param>
/// <param name="TimeSeconds">The frame's timestamp, for video input; null for frame folders and images.</param>
public sealed record PredictionRow(string VideoId, FramePrediction Prediction, double? TimeSeconds = null);

/// <summary>
/// The per-frame predictions file written by <c>emotion evaluate</c> and <c>emotion predict</c>: the columns
/// <c>video,frame[,time_s],category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise[,p_other],valence,arousal</c>.
/// Columns a model does not produce are left empty; numbers use the invariant culture; <c>time_s</c> is present only
/// when some row has a timestamp.
/// </summary>
public static class PredictionCsv
{
    /// <summary>The header for a model with the given categories (the 7 basic ones when empty).</summary>
    public static IReadOnlyList<string> Columns(ImmutableArray<EmotionCategory> categories, bool withTime = false) =>
    [
        "video", "frame", .. (withTime ? new[] { "time_s" } : []), "category",
        .. (categories.IsDefaultOrEmpty ? EmotionCategories.Basic : categories).Select(c => "p_" + c.ToName()),
        "valence", "arousal",
    ];

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ImmutableArray<EmotionCategory> categories, IEnumerable<PredictionRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows as IReadOnlyList<PredictionRow> ?? rows.ToList();
        AtomicFile.WriteText(path, writer => Write(writer, categories, list));
    }

    /// <summary>Writes <paramref name="rows"/> to a text writer (for streaming output, rows are written as they come).</summary>
    public static void Write(TextWriter writer, ImmutableArray<EmotionCategory> categories, IEnumerable<PredictionRow> rows, bool? withTime = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        bool time = withTime ?? (rows is IReadOnlyList<PredictionRow> list && list.Any(r => r.TimeSeconds.HasValue));
        int classes = categories.IsDefaultOrEmpty ? EmotionCategories.BasicCount : categories.Length;
        using var csv = CsvWriter.Create(writer, CsvDialect.WriterOptions, leaveOpen: true);
        foreach (var column in Columns(categories, time)) csv.WriteField(column);
        csv.EndRecord();
        foreach (var row in rows)
        {
            var p = row.Prediction;
            csv.WriteField(row.VideoId);
            csv.WriteField(p.FrameNumber.ToString(CultureInfo.InvariantCulture));
            if (time) csv.WriteField(row.TimeSeconds is { } t ? t.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty);
            csv.WriteField(p.Category is { } category ? category.ToName() : string.Empty);
            for (int c = 0; c < classes; c++)
                csv.WriteField(p.Probabilities.IsDefaultOrEmpty ? string.Empty : Number(p.Probabilities[c]));
            csv.WriteField(p.Valence is { } v ? Number(v) : string.Empty);
            csv.WriteField(p.Arousal is { } a ? Number(a) : string.Empty);
            csv.EndRecord();
        }
    }

    private static string Number(float value) => value.ToString("G7", CultureInfo.InvariantCulture);
}
