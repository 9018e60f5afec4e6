namespace Emotion.Core;

/// <summary>What a model predicts for each frame.</summary>
public enum EmotionTask
{
    /// <summary>Expression category logits only.</summary>
    Categorical,
    /// <summary>Continuous valence and arousal in [-1, 1] only.</summary>
    ValenceArousal,
    /// <summary>Both category logits and valence/arousal, trained jointly (the paper's combined model).</summary>
    Combined,
}

/// <summary>Helpers on <see cref="EmotionTask"/>.</summary>
public static class EmotionTaskExtensions
{
    /// <summary>Whether the task predicts expression categories.</summary>
    public static bool HasCategories(this EmotionTask task) => task is EmotionTask.Categorical or EmotionTask.Combined;

    /// <summary>Whether the task predicts valence and arousal.</summary>
    public static bool HasValenceArousal(this EmotionTask task) => task is EmotionTask.ValenceArousal or EmotionTask.Combined;

    /// <summary>The name used in files and on the command line: <c>categorical</c>, <c>va</c> or <c>combined</c>.</summary>
    public static string ToName(this EmotionTask task) => task switch
    {
        EmotionTask.Categorical => "categorical",
        EmotionTask.ValenceArousal => "va",
        EmotionTask.Combined => "combined",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not an emotion task."),
    };

    /// <summary>Parses <c>categorical</c>, <c>va</c> (or <c>valencearousal</c>) or <c>combined</c>, case-insensitively.</summary>
    /// <exception cref="FormatException">The name is not a task.</exception>
    public static EmotionTask ParseTask(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "categorical" or "expr" or "expression" => EmotionTask.Categorical,
        "va" or "valencearousal" or "valence-arousal" => EmotionTask.ValenceArousal,
        "combined" or "both" => EmotionTask.Combined,
        _ => throw new FormatException($"'{name}' is not a task; expected categorical, va or combined."),
    };
}
