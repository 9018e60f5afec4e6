using Emotion.Core;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Creates targets by name, for command lines: a category name (<c>happiness</c>), a contrast (<c>happiness-vs-neutral</c>),
/// <c>valence</c> or <c>arousal</c>.
/// </summary>
public static class ExplanationTargets
{
    /// <summary>The logit of a category.</summary>
    public static CategoryTarget Category(EmotionCategory category) => new(category);

    /// <summary>The log-probability of a category, <c>z_c - logsumexp(z)</c>.</summary>
    public static CategoryTarget CategoryLogProbability(EmotionCategory category) => new(category, CategoryScore.LogProbability);

    /// <summary>Why <paramref name="category"/> rather than <paramref name="versus"/> (neutral by default): <c>z_c - z_q</c>.</summary>
    public static ContrastTarget Contrast(EmotionCategory category, EmotionCategory versus = EmotionCategory.Neutral) => new(category, versus);

    /// <summary>Predicted valence.</summary>
    public static ValenceArousalTarget Valence => ValenceArousalTarget.Valence;

    /// <summary>Predicted arousal.</summary>
    public static ValenceArousalTarget Arousal => ValenceArousalTarget.Arousal;

    /// <summary>Parses <c>valence</c>, <c>arousal</c>, a category name or a contrast <c>CATEGORY-vs-CATEGORY</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The name is none of these.</exception>
    public static IExplanationTarget Parse(string name)
    {
        string n = name?.Trim().ToLowerInvariant() ?? "";
        if (n == "valence") return Valence;
        if (n == "arousal") return Arousal;
        if (EmotionCategories.TryParse(n, out var category)) return new CategoryTarget(category);
        int vs = n.IndexOf("-vs-", StringComparison.Ordinal);
        if (vs > 0 && EmotionCategories.TryParse(n[..vs], out var first) && EmotionCategories.TryParse(n[(vs + 4)..], out var second) && first != second)
            return new ContrastTarget(first, second);
        throw new FormatException($"'{name}' is not an explanation target; expected valence, arousal, a category ({string.Join(", ", EmotionCategories.WithOther.Select(c => c.ToName()))}) or two different categories as CATEGORY-vs-CATEGORY (happiness-vs-neutral).");
    }
}
