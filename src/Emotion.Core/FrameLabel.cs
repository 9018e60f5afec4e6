namespace Emotion.Core;

/// <summary>
/// The annotation of one frame: an optional expression category and optional valence and arousal in [-1, 1].
/// A missing part is unlabeled and is masked out of losses and metrics (real annotations have gaps: Aff-Wild2 writes
/// -1 for an unlabeled expression and -5 for unlabeled valence/arousal).
/// </summary>
public readonly record struct FrameLabel
{
    /// <summary>Creates a label; every part may be missing.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Valence or arousal is outside [-1, 1] or not finite, or the category is undefined.</exception>
    public FrameLabel(EmotionCategory? category, float? valence = null, float? arousal = null)
    {
        if (category is { } c && !Enum.IsDefined(c))
            throw new ArgumentOutOfRangeException(nameof(category), c, "Not an emotion category.");
        Category = category;
        Valence = CheckRange(valence, nameof(valence));
        Arousal = CheckRange(arousal, nameof(arousal));
    }

    /// <summary>A frame with no annotation at all.</summary>
    public static FrameLabel Unlabeled => default;

    /// <summary>The expression category, or null when unlabeled.</summary>
    public EmotionCategory? Category { get; }

    /// <summary>Valence in [-1, 1] (negative to positive), or null when unlabeled.</summary>
    public float? Valence { get; }

    /// <summary>Arousal in [-1, 1] (calm to excited), or null when unlabeled.</summary>
    public float? Arousal { get; }

    /// <summary>Whether the frame has a category.</summary>
    public bool HasCategory => Category.HasValue;

    /// <summary>Whether the frame has both valence and arousal.</summary>
    public bool HasValenceArousal => Valence.HasValue && Arousal.HasValue;

    /// <summary>Whether any part is labeled.</summary>
    public bool IsLabeled => Category.HasValue || Valence.HasValue || Arousal.HasValue;

    /// <summary>Returns this label with the category replaced.</summary>
    public FrameLabel WithCategory(EmotionCategory? category) => new(category, Valence, Arousal);

    /// <summary>Returns this label with valence and arousal replaced.</summary>
    public FrameLabel WithValenceArousal(float? valence, float? arousal) => new(Category, valence, arousal);

    private static float? CheckRange(float? value, string name)
    {
        if (value is { } v && !(v >= -1f && v <= 1f))
            throw new ArgumentOutOfRangeException(name, v, $"Expected {name} in [-1, 1] or null for unlabeled.");
        return value;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Category?.ToName() ?? "-"} v={Valence?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} a={Arousal?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
}
