namespace Emotion.Preprocessing.Annotations;

/// <summary>A problem found while reading annotations or a dataset: the file, the 1-based line (0 when it concerns the whole file) and what is wrong.</summary>
/// <param name="File">The file (or folder) concerned.</param>
/// <param name="Line">The 1-based line number, counting the header as line 1; 0 for the whole file.</param>
/// <param name="Message">What is wrong and what was expected.</param>
public sealed record AnnotationIssue(string File, int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
