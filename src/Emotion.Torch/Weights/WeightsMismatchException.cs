namespace Emotion.Torch.Weights;

/// <summary>
/// Thrown when a weights file does not fit a module: names the file, the missing and unexpected entries and every
/// shape or type mismatch, so the user sees which architecture the file was saved for.
/// </summary>
public sealed class WeightsMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public WeightsMismatchException(string source, string target, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : this(source, target, missing, unexpected, mismatched, null)
    {
    }

    /// <summary>Creates the exception with a closing hint (for example which <see cref="WeightsLoadOptions"/> would accept the file).</summary>
    public WeightsMismatchException(string source, string target, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched, string? hint)
        : base(BuildMessage(source, target, missing, unexpected, mismatched, hint))
    {
        WeightsSource = source;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>The file (or description) the weights came from.</summary>
    public string WeightsSource { get; }

    /// <summary>Entries the module has but the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Entries the file has but the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Entries present in both with a different shape or element type, as <c>name: expected [..], file has [..]</c>.</summary>
    public IReadOnlyList<string> Mismatched { get; }

    private static string BuildMessage(string source, string target, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched, string? hint)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"The weights in '{source}' do not fit {target}; it was probably saved for another architecture.");
        if (mismatched.Count > 0) sb.Append($" Shape/type mismatches ({mismatched.Count}): {List(mismatched)}.");
        if (missing.Count > 0) sb.Append($" Missing from the file ({missing.Count}): {List(missing)}.");
        if (unexpected.Count > 0) sb.Append($" Unexpected in the file ({unexpected.Count}): {List(unexpected)}.");
        if (!string.IsNullOrEmpty(hint)) sb.Append(' ').Append(hint);
        return sb.ToString();
    }

    private static string List(IReadOnlyList<string> items)
    {
        const int shown = 8;
        var head = string.Join("; ", items.Take(shown));
        return items.Count > shown ? $"{head}; ... and {items.Count - shown} more" : head;
    }
}
