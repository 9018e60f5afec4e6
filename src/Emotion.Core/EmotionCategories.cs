using System.Collections.Immutable;

namespace Emotion.Core;

/// <summary>The category sets models are trained on, and conversions between categories, indices and names.</summary>
public static class EmotionCategories
{
    /// <summary>The seven basic categories in Aff-Wild2 order; index i of a model's logits is <c>Basic[i]</c>.</summary>
    public static ImmutableArray<EmotionCategory> Basic { get; } =
    [
        EmotionCategory.Neutral, EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear,
        EmotionCategory.Happiness, EmotionCategory.Sadness, EmotionCategory.Surprise,
    ];

    /// <summary>The seven basic categories followed by <see cref="EmotionCategory.Other"/> (Aff-Wild2's 8-class set).</summary>
    public static ImmutableArray<EmotionCategory> WithOther { get; } = Basic.Add(EmotionCategory.Other);

    /// <summary>The number of basic categories (7).</summary>
    public const int BasicCount = 7;

    /// <summary>The lower-case name used in files and on the command line (for example <c>happiness</c>).</summary>
    public static string ToName(this EmotionCategory category) => category switch
    {
        EmotionCategory.Neutral => "neutral",
        EmotionCategory.Anger => "anger",
        EmotionCategory.Disgust => "disgust",
        EmotionCategory.Fear => "fear",
        EmotionCategory.Happiness => "happiness",
        EmotionCategory.Sadness => "sadness",
        EmotionCategory.Surprise => "surprise",
        EmotionCategory.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not an emotion category."),
    };

    /// <summary>Parses a category name (case-insensitive; also accepts Aff-Wild2's capitalised header names).</summary>
    /// <exception cref="FormatException">The name is not one of the categories.</exception>
    public static EmotionCategory Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var category)
            ? category
            : throw new FormatException(
                $"'{name}' is not an emotion category; expected one of {string.Join(", ", WithOther.Select(c => c.ToName()))}.");
    }

    /// <summary>Tries to parse a category name (case-insensitive).</summary>
    public static bool TryParse(string? name, out EmotionCategory category)
    {
        foreach (var candidate in WithOther)
        {
            if (string.Equals(candidate.ToName(), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                category = candidate;
                return true;
            }
        }
        category = default;
        return false;
    }

    /// <summary>Returns the category at a model output index for a category set of <paramref name="classCount"/> classes (7 or 8).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index or the class count is out of range.</exception>
    public static EmotionCategory FromIndex(int index, int classCount = BasicCount)
    {
        if (classCount is not (BasicCount or BasicCount + 1))
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Expected 7 (basic) or 8 (with Other) classes.");
        if ((uint)index >= (uint)classCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a class index in [0, {classCount - 1}].");
        return (EmotionCategory)index;
    }
}
