namespace Emotion.Preprocessing.Annotations;

/// <summary>An annotation file is malformed; the message names the file and the 1-based line.</summary>
public sealed class AnnotationFormatException : FormatException
{
    /// <summary>Creates the exception from an issue.</summary>
    public AnnotationFormatException(AnnotationIssue issue, Exception? inner = null)
        : base(issue?.ToString(), inner)
    {
        Issue = issue ?? throw new ArgumentNullException(nameof(issue));
    }

    /// <summary>The problem: file, line and message.</summary>
    public AnnotationIssue Issue { get; }

    /// <summary>The file concerned.</summary>
    public string FilePath => Issue.File;

    /// <summary>The 1-based line (0 for the whole file).</summary>
    public int LineNumber => Issue.Line;
}
