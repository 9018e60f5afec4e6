using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Emotion.Core;
using Emotion.Core.IO;
using Emotion.Core.Metrics;
using Emotion.Torch.Losses;
using Emotion.Core.Predictions;

namespace Emotion.Torch.Evaluation;

/// <summary>
/// What <see cref="ModelEvaluator"/> measured: the metrics report (each video frame scored once), the mean loss
/// when a loss was given, and the per-frame predictions sorted by video and frame number.
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>What the model predicts.</summary>
    public required EmotionTask Task { get; init; }

    /// <summary>How the model was run: streamed as deployed, or window by window (written to metrics.json as <c>mode</c>).</summary>
    public EvaluationMode Mode { get; init; } = EvaluationMode.Streaming;

    /// <summary>The categories in probability order (empty for a valence/arousal-only model).</summary>
    public ImmutableArray<EmotionCategory> Categories { get; init; } = [];

    /// <summary>The metrics over the distinct frames (CCC of valence and arousal, macro F1, accuracy, ABAW scores).</summary>
    public required EmotionMetricsReport Metrics { get; init; }

    /// <summary>The mean batch loss (weighted total and unweighted terms), or null when no loss was given.</summary>
    public LossValues? Loss { get; init; }

    /// <summary>
    /// Sequences evaluated: when streaming, the runs of consecutive frames streamed (each from a zero state: one per video
    /// plus one per gap); when windowed, the windows.
    /// </summary>
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

    /// <summary>
    /// Writes <see cref="Metrics"/> as JSON (atomically): first <c>"mode"</c> (<c>"streaming"</c> or <c>"windowed"</c>,
    /// <see cref="Mode"/>), then every metric and, per task, the number of frames scored, as
    /// <see cref="EmotionMetricsReport.ToJson"/> writes them (<see cref="EmotionMetricsReport.FromJson"/> reads the file
    /// back; <see cref="ReadMode"/> reads the mode).
    /// </summary>
    public void WriteMetricsJson(string path) => AtomicFile.WriteAllText(path, MetricsJson());

    /// <summary>The text <see cref="WriteMetricsJson"/> writes.</summary>
    public string MetricsJson()
    {
        var report = JsonNode.Parse(Metrics.ToJson())!.AsObject();
        var json = new JsonObject { [ModeProperty] = Mode.ToName() };
        foreach (var (name, value) in report.ToList())
        {
            report.Remove(name);
            json[name] = value;
        }
        return json.ToJsonString(EmotionModelInfo.JsonOptions);
    }

    /// <summary>The evaluation mode recorded in a metrics.json, or null when it has none (files written before the mode was recorded).</summary>
    /// <exception cref="FormatException">The text is not JSON, or its mode is not <c>streaming</c> or <c>windowed</c>.</exception>
    public static EvaluationMode? ReadMode(string metricsJson)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(metricsJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not a valid metrics report: {e.Message}", e);
        }
        if (node is not JsonObject json || !json.TryGetPropertyValue(ModeProperty, out var mode) || mode is null) return null;
        return mode.GetValueKind() == JsonValueKind.String ? EvaluationModeExtensions.ParseMode(mode.GetValue<string>()) : throw new FormatException($"metrics.json: \"{ModeProperty}\" must be \"streaming\" or \"windowed\".");
    }

    private const string ModeProperty = "mode";
}
