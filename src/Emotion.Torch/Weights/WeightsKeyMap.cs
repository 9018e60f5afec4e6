using System.Collections.Immutable;

namespace Emotion.Torch.Weights;

/// <summary>
/// Renames the entries of a weights file to the module's names before they are matched (see
/// <see cref="WeightsLoadOptions.KeyMap"/>). The rules run in order, each on the result of the previous one, so maps
/// compose with <see cref="Then"/>. Immutable and JSON-serialisable.
/// </summary>
/// <example>
/// <code>
/// // A DataParallel checkpoint of a full network, loaded into the backbone only:
/// var map = WeightsKeyMap.StripPrefix("module.").Then(WeightsKeyMap.StripPrefix("backbone."));
/// </code>
/// </example>
public sealed record WeightsKeyMap
{
    /// <summary>No renaming.</summary>
    public static WeightsKeyMap None { get; } = new();

    /// <summary>The rules, applied in order.</summary>
    public ImmutableArray<WeightsKeyRename> Renames { get; init; } = [];

    /// <summary>A map that replaces the prefix <paramref name="from"/> by <paramref name="to"/>.</summary>
    public static WeightsKeyMap Prefix(string from, string to) => None.RenamePrefix(from, to);

    /// <summary>A map that removes the prefix <paramref name="prefix"/> (for example <c>module.</c> of a DataParallel checkpoint).</summary>
    public static WeightsKeyMap StripPrefix(string prefix) => None.RenamePrefix(prefix, "");

    /// <summary>Returns a copy with a prefix rule appended.</summary>
    /// <exception cref="ArgumentException"><paramref name="from"/> is empty.</exception>
    public WeightsKeyMap RenamePrefix(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentNullException.ThrowIfNull(to);
        return this with { Renames = Renames.Add(new WeightsKeyRename(from, to, Prefix: true)) };
    }

    /// <summary>Returns a copy with an exact-name rule appended.</summary>
    /// <exception cref="ArgumentException">A name is empty.</exception>
    public WeightsKeyMap Rename(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        return this with { Renames = Renames.Add(new WeightsKeyRename(from, to, Prefix: false)) };
    }

    /// <summary>Returns a map that applies this map's rules, then <paramref name="next"/>'s.</summary>
    public WeightsKeyMap Then(WeightsKeyMap next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return this with { Renames = Renames.AddRange(next.Renames) };
    }

    /// <summary>The module name for the file entry <paramref name="key"/>.</summary>
    public string Map(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var rule in Renames) key = rule.Apply(key);
        return key;
    }

    /// <summary>
    /// VGG-Face (the PyTorch port of the Oxford VGG-Face network, for example <c>vgg_face_dag.pth</c>) to TorchVision's
    /// <c>vgg16</c>: <c>conv1_1</c> ... <c>conv5_3</c> (also spelled <c>conv_1_1</c>) become <c>features.0</c> ...
    /// <c>features.28</c>, and <c>fc6</c>, <c>fc7</c>, <c>fc8</c> become <c>classifier.0</c>, <c>classifier.3</c>, <c>classifier.6</c>.
    /// TorchVision-named entries pass unchanged.
    /// </summary>
    public static WeightsKeyMap VggFace { get; } = BuildVggFace();

    /// <summary>
    /// For the AffWildNet preset (VGG-16 convolutions + a 4096-wide <c>fc</c> layer): <see cref="VggFace"/>, then
    /// <c>classifier.0</c> (VGG-16's first fully connected layer, VGG-Face's <c>fc6</c>) becomes <c>fc.0</c>. It loads only
    /// when the frame size is 224 (7 x 7 x 512 inputs); at other sizes its shape differs and a lenient load skips and reports it.
    /// </summary>
    public static WeightsKeyMap AffWildNet { get; } = VggFace.RenamePrefix("classifier.0.", "fc.0.");

    private static WeightsKeyMap BuildVggFace()
    {
        // VGG-16 (configuration D): convolutions per block, and the features index of each (convolution, ReLU, ..., pooling).
        int[] perBlock = [2, 2, 3, 3, 3];
        var map = None;
        int index = 0;
        for (int block = 0; block < perBlock.Length; block++)
        {
            for (int i = 0; i < perBlock[block]; i++)
            {
                map = map.RenamePrefix($"conv{block + 1}_{i + 1}.", $"features.{index}.")
                         .RenamePrefix($"conv_{block + 1}_{i + 1}.", $"features.{index}.");
                index += 2; // convolution + ReLU
            }
            index++; // max pooling
        }
        return map.RenamePrefix("fc6.", "classifier.0.").RenamePrefix("fc7.", "classifier.3.").RenamePrefix("fc8.", "classifier.6.");
    }

    /// <summary>Value equality over the rules.</summary>
    public bool Equals(WeightsKeyMap? other) => other is not null && Renames.SequenceEqual(other.Renames);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var rule in Renames) hash.Add(rule);
        return hash.ToHashCode();
    }

    /// <summary>The rules, separated by semicolons.</summary>
    public override string ToString() => Renames.IsEmpty ? "(no renaming)" : string.Join("; ", Renames);
}
