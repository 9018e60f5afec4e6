using Emotion.Core;

namespace Emotion.Onnx.Models;

/// <summary>
/// Maps the label names third-party models use (FER-2013's <c>angry</c>, <c>happy</c>, ...; AffectNet's; RAF-DB's) to
/// <see cref="EmotionCategory"/>. Matching ignores case, surrounding spaces, hyphens and underscores.
/// </summary>
public static class EmotionLabels
{
    private static readonly Dictionary<string, EmotionCategory> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["neutral"] = EmotionCategory.Neutral, ["neutrality"] = EmotionCategory.Neutral, ["calm"] = EmotionCategory.Neutral,
        ["anger"] = EmotionCategory.Anger, ["angry"] = EmotionCategory.Anger,
        ["disgust"] = EmotionCategory.Disgust, ["disgusted"] = EmotionCategory.Disgust,
        ["fear"] = EmotionCategory.Fear, ["fearful"] = EmotionCategory.Fear, ["afraid"] = EmotionCategory.Fear, ["scared"] = EmotionCategory.Fear,
        ["happiness"] = EmotionCategory.Happiness, ["happy"] = EmotionCategory.Happiness, ["joy"] = EmotionCategory.Happiness,
        ["sadness"] = EmotionCategory.Sadness, ["sad"] = EmotionCategory.Sadness,
        ["surprise"] = EmotionCategory.Surprise, ["surprised"] = EmotionCategory.Surprise,
        ["other"] = EmotionCategory.Other,
    };

    /// <summary>FER-2013's label order (index 0..6): angry, disgust, fear, happy, sad, surprise, neutral.</summary>
    public static IReadOnlyList<string> Fer2013 { get; } = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];

    /// <summary>
    /// Maps a label to a category, first through <paramref name="custom"/> (exact names, case-insensitive), then through the
    /// built-in synonyms; returns false for labels with no Emotion.Core category (for example <c>contempt</c>).
    /// </summary>
    public static bool TryMap(string? label, out EmotionCategory category, IReadOnlyDictionary<string, EmotionCategory>? custom = null)
    {
        category = default;
        if (string.IsNullOrWhiteSpace(label)) return false;
        string trimmed = label.Trim();
        if (custom is not null)
        {
            foreach (var (name, value) in custom)
            {
                if (string.Equals(name.Trim(), trimmed, StringComparison.OrdinalIgnoreCase))
                {
                    category = value;
                    return true;
                }
            }
        }
        string key = trimmed.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return Aliases.TryGetValue(key, out category);
    }
}
