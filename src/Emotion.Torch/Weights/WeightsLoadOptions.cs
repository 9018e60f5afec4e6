using System.Collections.Immutable;

namespace Emotion.Torch.Weights;

/// <summary>
/// How <see cref="StateDictLoader"/> matches a weights file to a module. The default is strict: every module entry must be
/// in the file, every file entry in the module, with the same shape and type. The other settings relax this for real
/// checkpoints (what they lack or add); whatever is relaxed is reported in the <see cref="WeightsLoadResult"/>.
/// Immutable and JSON-serialisable (part of <c>BackboneSpec</c>).
/// </summary>
/// <example>
/// <code>
/// // Fine-tune from a checkpoint with another number of classes: the classifier is skipped and reported.
/// var result = model.LoadWeights("pretrained.dat", WeightsLoadOptions.Default with { SkipMismatchedShapes = true });
/// Console.WriteLine(result.Summary());
/// </code>
/// </example>
public sealed record WeightsLoadOptions
{
    /// <summary>Strict loading (the default of every <c>LoadWeights</c>).</summary>
    public static WeightsLoadOptions Default { get; } = new();

    /// <summary>
    /// Loads what fits and reports the rest: missing and unexpected entries and entries of another shape are skipped
    /// (<see cref="Strict"/> false, <see cref="AllowMissingBatchCounters"/> and <see cref="SkipMismatchedShapes"/> true).
    /// A file of which nothing fits still fails.
    /// </summary>
    public static WeightsLoadOptions Lenient { get; } = new() { Strict = false, AllowMissingBatchCounters = true, SkipMismatchedShapes = true };

    /// <summary>
    /// When true (default), module entries the file lacks and file entries the module lacks (after <see cref="KeyMap"/> and
    /// outside <see cref="IgnoredPrefixes"/>) fail the load; when false they are reported in <see cref="WeightsLoadResult.Missing"/>
    /// (left as initialised) and <see cref="WeightsLoadResult.Unexpected"/>.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// When true, batch-norm <c>num_batches_tracked</c> counters the file lacks (files from Caffe, CNTK, ONNX, TF.js or
    /// older PyTorch) do not fail a strict load; they keep their value (0 in a fresh module) and are reported.
    /// </summary>
    public bool AllowMissingBatchCounters { get; init; }

    /// <summary>
    /// When true, an entry present in both with another shape or type (a classifier for another number of classes, a fully
    /// connected layer for another frame size) is skipped and reported in <see cref="WeightsLoadResult.Mismatched"/>;
    /// when false (default) it fails the load, strict or not.
    /// </summary>
    public bool SkipMismatchedShapes { get; init; }

    /// <summary>Renames the file's entries before matching (for example VGG-Face names to TorchVision's, <see cref="WeightsKeyMap.VggFace"/>).</summary>
    public WeightsKeyMap KeyMap { get; init; } = WeightsKeyMap.None;

    /// <summary>File entries whose name (after <see cref="KeyMap"/>) starts with one of these are skipped on purpose (for example <c>fc.</c>, a classifier the module does not have).</summary>
    public ImmutableArray<string> IgnoredPrefixes { get; init; } = [];

    /// <summary>Returns a copy that also ignores <paramref name="prefixes"/>.</summary>
    public WeightsLoadOptions WithIgnoredPrefixes(IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var added = prefixes.Where(p => !IgnoredPrefixes.Contains(p)).ToArray();
        return added.Length == 0 ? this : this with { IgnoredPrefixes = IgnoredPrefixes.AddRange(added) };
    }

    /// <summary>Value equality, comparing <see cref="IgnoredPrefixes"/> element by element.</summary>
    public bool Equals(WeightsLoadOptions? other) =>
        other is not null
        && Strict == other.Strict
        && AllowMissingBatchCounters == other.AllowMissingBatchCounters
        && SkipMismatchedShapes == other.SkipMismatchedShapes
        && Equals(KeyMap, other.KeyMap)
        && IgnoredPrefixes.SequenceEqual(other.IgnoredPrefixes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Strict, AllowMissingBatchCounters, SkipMismatchedShapes, KeyMap, IgnoredPrefixes.Length);
}
