using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Core.IO;
using Emotion.Core.Metrics;
using Emotion.Preprocessing.Annotations;
using Emotion.Torch.Losses;

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

    /// <summary>The columns of <see cref="WritePredictionsCsv"/> (<see cref="PredictionCsv.Columns"/>).</summary>
    public IReadOnlyList<string> CsvColumns => PredictionCsv.Columns(Categories);

    /// <summary>
    /// Writes the predictions as CSV with <see cref="PredictionCsv"/> (atomically): the columns
    /// <c>video,frame,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal</c>
    /// (plus <c>p_other</c> for an 8-class model); the columns a task does not produce are empty.
    /// </summary>
    public void WritePredictionsCsv(string path) =>
        PredictionCsv.Write(path, Categories, Predictions.Select(p => new PredictionRow(p.VideoId, p.Prediction)).ToList());

    /// <summary>Writes <see cref="Metrics"/> as JSON (atomically): every metric and, per task, the number of frames scored.</summary>
    public void WriteMetricsJson(string path) => AtomicFile.WriteAllText(path, Metrics.ToJson());
}
