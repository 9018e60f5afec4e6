namespace Emotion.Preprocessing.Annotations;

/// <summary>How annotations are read.</summary>
public sealed record AnnotationLoadOptions
{
    /// <summary>Strict (the default): the first problem throws <see cref="AnnotationFormatException"/> naming file and line.</summary>
    public static AnnotationLoadOptions Strict { get; } = new();

    /// <summary>Lenient: problems are reported as <see cref="AnnotationIssue"/>s and the affected values are treated as unlabeled (or the file/row skipped).</summary>
    public static AnnotationLoadOptions LenientDefault { get; } = new() { Lenient = true };

    /// <summary>Report problems and continue instead of throwing.</summary>
    public bool Lenient { get; init; }

    /// <summary>Keep Aff-Wild2's label 7 (<c>Other</c>) as a category (the 8-class set); by default it is masked (unlabeled) for 7-class training.</summary>
    public bool IncludeOther { get; init; }
}
