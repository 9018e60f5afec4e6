using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;

namespace Emotion.Core.Metrics;

/// <summary>
/// The evaluation of a model on a set of frames, as produced by <see cref="EmotionMetricsAccumulator.Compute"/>. Every member of a
/// task without scored frames is null (or empty), never NaN. Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>
/// (<see cref="ToJson"/>, <see cref="FromJson"/>).
/// </summary>
public sealed record EmotionMetricsReport
{
    /// <summary>The categories in class-index order (7 basic, or 8 with Other).</summary>
    public ImmutableArray<EmotionCategory> Categories { get; init; } = EmotionCategories.Basic;

    /// <summary>Number of frames scored for the expression task.</summary>
    public long CategoryFrames { get; init; }

    /// <summary>Fraction of scored frames whose category was predicted correctly; null when no frame was scored.</summary>
    public double? Accuracy { get; init; }

    /// <summary>Macro F1 over all categories (zero_division = 0); null when no frame was scored.</summary>
    public double? MacroF1 { get; init; }

    /// <summary>Precision, recall, F1 and support per category (empty when no frame was scored).</summary>
    public ImmutableArray<ClassScores> PerClass { get; init; } = [];

    /// <summary>Rows = target category, columns = predicted category; null when no frame was scored.</summary>
    public ConfusionMatrix? ConfusionMatrix { get; init; }

    /// <summary>Number of frames scored for valence.</summary>
    public long ValenceFrames { get; init; }

    /// <summary>Valence scores (CCC, Pearson, RMSE, ...); null when no frame was scored.</summary>
    public RegressionScores? Valence { get; init; }

    /// <summary>Number of frames scored for arousal.</summary>
    public long ArousalFrames { get; init; }

    /// <summary>Arousal scores (CCC, Pearson, RMSE, ...); null when no frame was scored.</summary>
    public RegressionScores? Arousal { get; init; }

    /// <summary>CCC of valence (shortcut for <c>Valence?.Ccc</c>).</summary>
    public double? CccValence => Valence?.Ccc;

    /// <summary>CCC of arousal (shortcut for <c>Arousal?.Ccc</c>).</summary>
    public double? CccArousal => Arousal?.Ccc;

    /// <summary>ABAW valence-arousal score, (CCC_v + CCC_a) / 2; null unless both dimensions were scored.</summary>
    public double? AbawVaScore { get; init; }

    /// <summary>ABAW expression score from ABAW3 (2022) on: macro F1 over the model's classes (the challenge's score with 8 classes including Other); null when no frame was scored.</summary>
    public double? AbawExpressionScore { get; init; }

    /// <summary>ABAW1 (2020) and ABAW2 (2021) expression score, 0.67 macro F1 + 0.33 accuracy; null when no frame was scored.</summary>
    public double? AbawF1AccuracyExpressionScore { get; init; }

    /// <summary>Serialises with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a metrics report.</exception>
    public static EmotionMetricsReport FromJson(string json)
        => EmotionJson.Deserialize<EmotionMetricsReport>(json, "metrics report");
}
