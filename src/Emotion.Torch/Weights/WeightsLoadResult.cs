using System.Text;

namespace Emotion.Torch.Weights;

/// <summary>
/// What loading a weights file did: every entry copied, missing, skipped, unknown or of the wrong shape. <see cref="Summary"/>
/// (also <see cref="ToString"/>) prints it for a command line.
/// </summary>
/// <param name="Format">The format the file was read as.</param>
/// <param name="Loaded">Module entries copied from the file.</param>
/// <param name="Missing">Module entries the file lacked (left unchanged; only possible when loading non-strictly or, for batch counters, with <see cref="WeightsLoadOptions.AllowMissingBatchCounters"/>). Entries skipped for their shape are in <see cref="Mismatched"/> instead.</param>
/// <param name="Ignored">File entries not copied: skipped on purpose (an ignored prefix, for example a pretrained network's classifier) or, non-strictly, unknown to the module (those are also in <see cref="Unexpected"/>). File names.</param>
public sealed record WeightsLoadResult(WeightsFormat Format, IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Ignored)
{
    private const string BatchCounter = "num_batches_tracked";

    /// <summary>The file (or description) the weights came from.</summary>
    public string Source { get; init; } = "";

    /// <summary>File entries (file names) that match no module entry after renaming; reported by a non-strict load.</summary>
    public IReadOnlyList<string> Unexpected { get; init; } = [];

    /// <summary>Entries present in both with another shape or type, skipped (<see cref="WeightsLoadOptions.SkipMismatchedShapes"/>).</summary>
    public IReadOnlyList<WeightsShapeMismatch> Mismatched { get; init; } = [];

    /// <summary>File entries the key map renamed: file name to module name.</summary>
    public IReadOnlyDictionary<string, string> Renamed { get; init; } = new Dictionary<string, string>();

    /// <summary>The batch-norm <c>num_batches_tracked</c> counters among <see cref="Missing"/>.</summary>
    public IReadOnlyList<string> MissingBatchCounters => Missing.Where(IsBatchCounter).ToArray();

    /// <summary>Whether every module entry was loaded and every file entry used (nothing missing, unexpected or mismatched; ignored prefixes aside).</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>Whether <paramref name="key"/> is a batch-norm <c>num_batches_tracked</c> counter.</summary>
    public static bool IsBatchCounter(string key) =>
        key == BatchCounter || key.EndsWith("." + BatchCounter, StringComparison.Ordinal);

    /// <summary>
    /// A multi-line report: counts, then each non-empty list (mismatched, missing, unexpected, ignored, renamed) with up to
    /// <paramref name="maxListed"/> names each.
    /// </summary>
    public string Summary(int maxListed = 12)
    {
        var sb = new StringBuilder();
        int total = Loaded.Count + Missing.Count + Mismatched.Count;
        sb.Append($"Loaded {Loaded.Count} of {total} module entries from {(Source.Length > 0 ? $"'{Source}'" : "the weights")} ({Format})");
        sb.Append(IsComplete ? "; complete." : ".");
        if (Mismatched.Count > 0) Section(sb, "Skipped, shape or type differs", Mismatched.Select(m => m.ToString()).ToArray(), maxListed);
        var counters = MissingBatchCounters;
        var missingOther = Missing.Where(k => !IsBatchCounter(k)).ToArray();
        if (missingOther.Length > 0) Section(sb, "Missing from the file, left as initialised", missingOther, maxListed);
        if (counters.Count > 0) sb.AppendLine().Append($"Missing batch-norm counters (num_batches_tracked), left as they were: {counters.Count}.");
        if (Unexpected.Count > 0) Section(sb, "Unexpected in the file, not used", Unexpected, maxListed);
        var ignoredOnPurpose = Ignored.Except(Unexpected).ToArray();
        if (ignoredOnPurpose.Length > 0) Section(sb, "Ignored on purpose", ignoredOnPurpose, maxListed);
        if (Renamed.Count > 0) Section(sb, "Renamed", Renamed.Select(kv => $"{kv.Key} -> {kv.Value}").ToArray(), maxListed);
        return sb.ToString();
    }

    /// <summary>The <see cref="Summary"/> with the default list length.</summary>
    public override string ToString() => Summary();

    private static void Section(StringBuilder sb, string title, IReadOnlyList<string> items, int maxListed)
    {
        sb.AppendLine().Append($"{title} ({items.Count}):");
        foreach (var item in items.Take(Math.Max(0, maxListed))) sb.AppendLine().Append("  ").Append(item);
        if (items.Count > maxListed) sb.AppendLine().Append($"  ... and {items.Count - maxListed} more");
    }
}
