using System.Collections.Immutable;
using System.Globalization;
using CsvHelper;
using Emotion.Core;
using Emotion.Core.IO;

namespace Emotion.Core.Predictions;

/// <summary>
/// The per-frame predictions file written by <c>emotion evaluate</c> and <c>emotion predict</c>: the columns
/// <c>video,frame[,time_s][,face,x,y,w,h],category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise[,p_other],valence,arousal[,va_source]</c>.
/// Columns a model does not produce are left empty; numbers use the invariant culture; <c>time_s</c> is present only
/// when some row has a timestamp; <c>face,x,y,w,h</c> (track id and box in pixels of the full frame) only when faces were
/// found in whole frames; <c>va_source</c> (<c>estimated_from_categories</c>) only for models whose valence/arousal are
/// estimated from their category probabilities rather than trained (<see cref="ValenceArousalSource.CategoryExpectation"/>).
/// </summary>
public static class PredictionCsv
{
    /// <summary>The header for a model with the given categories (the 7 basic ones when empty).</summary>
    public static IReadOnlyList<string> Columns(ImmutableArray<EmotionCategory> categories, bool withTime = false, bool withFaces = false,
        ValenceArousalSource valenceArousal = ValenceArousalSource.Regressed) =>
    [
        "video", "frame", .. (withTime ? new[] { "time_s" } : []), .. (withFaces ? FaceColumns : []), "category",
        .. (categories.IsDefaultOrEmpty ? EmotionCategories.Basic : categories).Select(c => "p_" + c.ToName()),
        "valence", "arousal", .. (valenceArousal == ValenceArousalSource.CategoryExpectation ? new[] { VaSourceColumn } : []),
    ];

    private static readonly string[] FaceColumns = ["face", "x", "y", "w", "h"];
    private const string VaSourceColumn = "va_source";

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ImmutableArray<EmotionCategory> categories, IEnumerable<PredictionRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows as IReadOnlyList<PredictionRow> ?? rows.ToList();
        AtomicFile.WriteText(path, writer => Write(writer, categories, list));
    }

    /// <summary>Writes <paramref name="rows"/> to a text writer (for streaming output, rows are written as they come).</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="categories">The model's categories (the 7 basic ones when empty).</param>
    /// <param name="rows">The rows, in order.</param>
    /// <param name="withTime">Whether to write <c>time_s</c>; when null, whether some row has a time (rows given as a list).</param>
    /// <param name="withFaces">Whether to write <c>face,x,y,w,h</c>; when null, whether some row has a face (rows given as a list).</param>
    /// <param name="valenceArousal">How the model produced valence/arousal; estimated values get a <c>va_source</c> column that says so.</param>
    public static void Write(TextWriter writer, ImmutableArray<EmotionCategory> categories, IEnumerable<PredictionRow> rows, bool? withTime = null,
        bool? withFaces = null, ValenceArousalSource valenceArousal = ValenceArousalSource.Regressed)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows as IReadOnlyList<PredictionRow>;
        bool time = withTime ?? (list is not null && list.Any(r => r.TimeSeconds.HasValue));
        bool faces = withFaces ?? (list is not null && list.Any(r => r.Face is not null));
        bool estimated = valenceArousal == ValenceArousalSource.CategoryExpectation;
        int classes = categories.IsDefaultOrEmpty ? EmotionCategories.BasicCount : categories.Length;
        using var csv = CsvWriter.Create(writer, CsvDialect.WriterOptions, leaveOpen: true);
        foreach (var column in Columns(categories, time, faces, valenceArousal)) csv.WriteField(column);
        csv.EndRecord();
        foreach (var row in rows)
        {
            var p = row.Prediction;
            csv.WriteField(row.VideoId);
            csv.WriteField(p.FrameNumber.ToString(CultureInfo.InvariantCulture));
            if (time) csv.WriteField(row.TimeSeconds is { } t ? t.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty);
            if (faces)
            {
                csv.WriteField(row.TrackId is { } track ? track.ToString(CultureInfo.InvariantCulture) : string.Empty);
                if (row.Face is { } box)
                {
                    csv.WriteField(Number(box.X));
                    csv.WriteField(Number(box.Y));
                    csv.WriteField(Number(box.Width));
                    csv.WriteField(Number(box.Height));
                }
                else
                {
                    for (int i = 0; i < 4; i++) csv.WriteField(string.Empty);
                }
            }
            csv.WriteField(p.Category is { } category ? category.ToName() : string.Empty);
            for (int c = 0; c < classes; c++)
                csv.WriteField(p.Probabilities.IsDefaultOrEmpty ? string.Empty : Number(p.Probabilities[c]));
            csv.WriteField(p.Valence is { } v ? Number(v) : string.Empty);
            csv.WriteField(p.Arousal is { } a ? Number(a) : string.Empty);
            if (estimated) csv.WriteField(OnnxMetadataKeys.ValenceArousalFromCategories);
            csv.EndRecord();
        }
    }

    private static string Number(float value) => value.ToString("G7", CultureInfo.InvariantCulture);
}
