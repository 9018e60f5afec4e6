using Emotion.Core;
using Emotion.Core.Metrics;

namespace Emotion.Torch.Training;

/// <summary>
/// The validation quantities a run can monitor to choose its best checkpoint and to stop early, by name:
/// <c>loss</c> (validation loss, or training loss without validation data; lower is better) and, from the validation
/// <see cref="EmotionMetricsReport"/> (higher is better): <c>macroF1</c>, <c>accuracy</c>, <c>abawF1AccuracyExpression</c>
/// (0.67 F1 + 0.33 accuracy), <c>cccValence</c>, <c>cccArousal</c>, <c>cccMean</c> (the ABAW VA score) and <c>combined</c>
/// (mean of macro F1 and mean CCC, for the combined task).
/// </summary>
public static class MonitorMetric
{
    /// <summary>Validation (or training) loss.</summary>
    public const string Loss = "loss";
    /// <summary>Macro F1 over the categories.</summary>
    public const string MacroF1 = "macroF1";
    /// <summary>Category accuracy.</summary>
    public const string Accuracy = "accuracy";
    /// <summary>ABAW1 (2020) and ABAW2 (2021) expression score, 0.67 macro F1 + 0.33 accuracy (<see cref="EmotionMetricsReport.AbawF1AccuracyExpressionScore"/>).</summary>
    public const string AbawF1AccuracyExpression = "abawF1AccuracyExpression";
    /// <summary>CCC of valence.</summary>
    public const string CccValence = "cccValence";
    /// <summary>CCC of arousal.</summary>
    public const string CccArousal = "cccArousal";
    /// <summary>Mean CCC of valence and arousal (ABAW VA score).</summary>
    public const string CccMean = "cccMean";
    /// <summary>Mean of macro F1 and mean CCC.</summary>
    public const string Combined = "combined";

    /// <summary>Every name, in documentation order.</summary>
    public static IReadOnlyList<string> Names { get; } = [Loss, MacroF1, Accuracy, AbawF1AccuracyExpression, CccValence, CccArousal, CccMean, Combined];

    /// <summary>The default of a task: macro F1 (categorical), mean CCC (va) or their mean (combined).</summary>
    public static string DefaultFor(EmotionTask task) => task switch
    {
        EmotionTask.Categorical => MacroF1,
        EmotionTask.ValenceArousal => CccMean,
        _ => Combined,
    };

    /// <summary>Returns the canonical name (case-insensitive match).</summary>
    /// <exception cref="ArgumentException">Not a known metric.</exception>
    public static string Normalize(string name) =>
        Names.FirstOrDefault(n => string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? (string.Equals(name?.Trim(), "abawEarlyExpression", StringComparison.OrdinalIgnoreCase) ? AbawF1AccuracyExpression : null) // name before 2026-12, in older checkpoints
        ?? throw new ArgumentException($"'{name}' is not a metric to monitor; expected one of {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Whether higher values are better (all but <c>loss</c>).</summary>
    public static bool HigherIsBetter(string name) => !string.Equals(Normalize(name), Loss, StringComparison.Ordinal);

    /// <summary>Whether the metric needs the category or the valence/arousal outputs, for a check against the task.</summary>
    public static bool Fits(string name, EmotionTask task) => Normalize(name) switch
    {
        MacroF1 or Accuracy or AbawF1AccuracyExpression => task.HasCategories(),
        CccValence or CccArousal or CccMean => task.HasValenceArousal(),
        Combined => task == EmotionTask.Combined,
        _ => true,
    };

    /// <summary>The value of the metric, or null when the report lacks it (no scored frame for that task).</summary>
    /// <param name="name">The metric.</param>
    /// <param name="report">The validation report (null without validation data).</param>
    /// <param name="loss">The loss to use for <c>loss</c>.</param>
    public static double? Read(string name, EmotionMetricsReport? report, double loss) => Normalize(name) switch
    {
        Loss => loss,
        MacroF1 => report?.MacroF1,
        Accuracy => report?.Accuracy,
        AbawF1AccuracyExpression => report?.AbawF1AccuracyExpressionScore,
        CccValence => report?.CccValence,
        CccArousal => report?.CccArousal,
        CccMean => report?.AbawVaScore,
        Combined => report?.MacroF1 is { } f1 && report.AbawVaScore is { } va ? (f1 + va) / 2 : null,
        _ => null,
    };
}
