namespace Emotion.Preprocessing.Annotations;

/// <summary>Applies the strict/lenient policy: throws in strict mode, records the issue in lenient mode.</summary>
internal readonly struct IssueSink(AnnotationLoadOptions options, ICollection<AnnotationIssue>? issues)
{
    public bool Lenient => options.Lenient;

    public void Report(string file, int line, string message, Exception? inner = null)
    {
        var issue = new AnnotationIssue(file, line, message);
        if (!options.Lenient) throw new AnnotationFormatException(issue, inner);
        issues?.Add(issue);
    }
}
