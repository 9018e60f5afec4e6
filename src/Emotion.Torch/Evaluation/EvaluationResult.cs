using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using CsvHelper;
using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Torch.Losses;
using Emotion.Torch.Weights;

namespace Emotion.Torch.Evaluation;

/// <summary>
/// What <see cref="ModelEvaluator.Evaluate"/> measured: the metrics report (each video frame scored once), the mean loss
/// when a loss was given, and the per-frame predictions sorted by video and frame number.
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>What the model predicts.</summary>
    public required EmotionTask Task { get; init; }

    /// <summary>The categories in probability order (empty for a valence/arousal-only model).</summary>
    public ImmutableArray<EmotionCategory> Categories { get; init; } = [];

    /// <summary>The metrics over the distinct frames (CCC of valence and arousal, macro F1, accuracy, ABAW scores).</summary>
    public required EmotionMetricsReport Metrics { get; init; }

    /// <summary>The mean batch loss (weighted total and unweighted terms), or null when no loss was given.</summary>
    public LossValues? Loss { get; init; }

    /// <summary>Sequences (windows) evaluated.</summary>
    public long Sequences { get; init; }

    /// <summary>Distinct video frames predicted.</summary>
    public long Frames { get; init; }

    /// <summary>The per-frame predictions, by video id (ordinal order) then frame number; empty unless requested.</summary>
    public ImmutableArray<PredictedFrame> Predictions { get; init; } = [];

    /// <summary>The columns of <see cref="WritePredictionsCsv"/>.</summary>
    public IReadOnlyList<string> CsvColumns =>
        ["video", "frame", "category", .. (Categories.IsDefaultOrEmpty ? EmotionCategories.Basic : Categories).Select(c => "p_" + c.ToName()), "valence", "arousal"];

    /// <summary>
    /// Writes the predictions as CSV (atomically) with the columns
    /// <c>video,frame,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal</c>
    /// (plus <c>p_other</c> before <c>valence</c> for an 8-class model); the columns a task does not produce are empty.
    /// Numbers use the invariant culture.
    /// </summary>
    public void WritePredictionsCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int classes = Categories.IsDefaultOrEmpty ? EmotionCategories.BasicCount : Categories.Length;
        var columns = CsvColumns;
        StateDictFile.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            using var csv = CsvWriter.Create(writer, Training.CsvFormat.Options, leaveOpen: true);
            foreach (var c in columns) csv.WriteField(c);
            csv.EndRecord();
            foreach (var p in Predictions)
            {
                var prediction = p.Prediction;
                csv.WriteField(p.VideoId);
                csv.WriteField(prediction.FrameNumber.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(prediction.Category is { } category ? category.ToName() : string.Empty);
                for (int c = 0; c < classes; c++)
                    csv.WriteField(prediction.Probabilities.IsDefaultOrEmpty ? string.Empty : Format(prediction.Probabilities[c]));
                csv.WriteField(prediction.Valence is { } v ? Format(v) : string.Empty);
                csv.WriteField(prediction.Arousal is { } a ? Format(a) : string.Empty);
                csv.EndRecord();
            }
        });
    }

    /// <summary>Writes <see cref="Metrics"/> as JSON (atomically): every metric and, per task, the number of frames scored.</summary>
    public void WriteMetricsJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encoding.UTF8.GetBytes(Metrics.ToJson());
        StateDictFile.WriteAtomically(path, s => s.Write(bytes));
    }

    private static string Format(float value) => value.ToString("G7", CultureInfo.InvariantCulture);
}
