using static TorchSharp.torch;

namespace Emotion.Torch.Weights;

/// <summary>
/// Copies a state dictionary into a module after checking it entry by entry: names, shapes and element types.
/// Unlike <c>Module.load</c>, a mismatch throws a <see cref="WeightsMismatchException"/> that lists what differs; with
/// <see cref="WeightsLoadOptions"/> the check can be relaxed (renamed keys, missing batch counters, a classifier of another
/// shape, extra entries), and the <see cref="WeightsLoadResult"/> reports everything that was relaxed.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Reads a weights file (TorchSharp, PyTorch, safetensors or ONNX initializers, see <see cref="StateDictFile.DetectFormat"/>) and copies it into <paramref name="module"/>.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="strict">When true, every module entry must be in the file and every file entry (outside <paramref name="ignoredPrefixes"/>) in the module.</param>
    /// <param name="ignoredPrefixes">File entries starting with one of these are skipped (for example <c>fc.</c>, a pretrained classifier).</param>
    /// <exception cref="WeightsMismatchException">The file does not fit the module.</exception>
    public static WeightsLoadResult Load(nn.Module module, string path, bool strict = true, IEnumerable<string>? ignoredPrefixes = null) =>
        Load(module, path, Options(strict, ignoredPrefixes));

    /// <summary>Reads a weights file and copies it into <paramref name="module"/> as <paramref name="options"/> say.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The weights file (format detected by <see cref="StateDictFile.DetectFormat"/>).</param>
    /// <param name="options">How to match the file to the module.</param>
    /// <exception cref="WeightsMismatchException">The file does not fit the module under these options.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable state dictionary.</exception>
    public static WeightsLoadResult Load(nn.Module module, string path, WeightsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        var format = StateDictFile.DetectFormat(path);
        var source = StateDictFile.Read(path);
        try
        {
            return Apply(module, source, path, options, format);
        }
        finally
        {
            foreach (var t in source.Values) t.Dispose();
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/> after checking names, shapes and element types.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="source">Tensors by name (not disposed here).</param>
    /// <param name="sourceName">The name used in error messages (a file path).</param>
    /// <param name="format">The format the tensors were read from (reported back).</param>
    /// <param name="strict">See <see cref="Load(nn.Module, string, bool, IEnumerable{string}?)"/>.</param>
    /// <param name="ignoredPrefixes">See <see cref="Load(nn.Module, string, bool, IEnumerable{string}?)"/>.</param>
    /// <exception cref="WeightsMismatchException">The tensors do not fit the module.</exception>
    public static WeightsLoadResult Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        WeightsFormat format = WeightsFormat.TorchSharp, bool strict = true, IEnumerable<string>? ignoredPrefixes = null) =>
        Apply(module, source, sourceName, Options(strict, ignoredPrefixes), format);

    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/> as <paramref name="options"/> say.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="source">Tensors by the file's names (not disposed here).</param>
    /// <param name="sourceName">The name used in messages and in the result (a file path).</param>
    /// <param name="options">How to match the tensors to the module.</param>
    /// <param name="format">The format the tensors were read from (reported back).</param>
    /// <exception cref="WeightsMismatchException">
    /// The tensors do not fit the module under these options, or nothing at all fits (even when lenient), or two file
    /// entries are renamed to the same module entry.
    /// </exception>
    public static WeightsLoadResult Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        WeightsLoadOptions options, WeightsFormat format = WeightsFormat.TorchSharp)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        sourceName ??= "";
        var target = module.state_dict();
        var (matched, renamed, ignored, unexpected, mismatched, duplicates) = Match(source, target, options);
        var mismatchedKeys = mismatched.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
        var missing = target.Keys.Where(k => !matched.ContainsKey(k) && !mismatchedKeys.Contains(k)).ToList();
        var missingFatal = missing.Where(k => !(options.AllowMissingBatchCounters && WeightsLoadResult.IsBatchCounter(k))).ToList();

        string targetName = $"this {module.GetName()} module";
        var mismatchedText = mismatched.Select(m => m.ToString()).Concat(duplicates).ToList();
        if (duplicates.Count > 0 || (mismatched.Count > 0 && !options.SkipMismatchedShapes) || (options.Strict && (missingFatal.Count > 0 || unexpected.Count > 0)))
            throw new WeightsMismatchException(sourceName, targetName, options.Strict ? missingFatal : [], options.Strict ? unexpected : [], mismatchedText,
                Hint(options, mismatched.Count > 0, missingFatal.Count > 0 || unexpected.Count > 0));
        if (matched.Count == 0 && target.Count > 0 && source.Count > 0)
            throw new WeightsMismatchException(sourceName, targetName, missing, unexpected, mismatchedText,
                "Nothing in the file fits the module (no entry has a module name and shape); it was saved for another network, or its names need a WeightsLoadOptions.KeyMap.");

        var loaded = Copy(target, matched);
        return new WeightsLoadResult(format, loaded, missing, [.. ignored, .. unexpected])
        {
            Source = sourceName,
            Unexpected = unexpected,
            Mismatched = mismatched,
            Renamed = renamed,
        };
    }

    /// <summary>
    /// Sorts the file's entries by the module entry their mapped name finds: matched (same shape and type), ignored (an ignored
    /// prefix), unexpected (no such module entry), mismatched (another shape or type) or a duplicate (a second entry for one name).
    /// </summary>
    private static (Dictionary<string, (string SourceKey, Tensor Tensor)> Matched, Dictionary<string, string> Renamed, List<string> Ignored,
        List<string> Unexpected, List<WeightsShapeMismatch> Mismatched, List<string> Duplicates) Match(
        IReadOnlyDictionary<string, Tensor> source, Dictionary<string, Tensor> target, WeightsLoadOptions options)
    {
        var matched = new Dictionary<string, (string SourceKey, Tensor Tensor)>(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();
        var unexpected = new List<string>();
        var mismatched = new List<WeightsShapeMismatch>();
        var duplicates = new List<string>();
        foreach (var (sourceKey, tensor) in source)
        {
            string key = options.KeyMap.Map(sourceKey);
            if (key != sourceKey) renamed[sourceKey] = key;
            if (options.IgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
                ignored.Add(sourceKey);
            else if (!target.TryGetValue(key, out var destination))
                unexpected.Add(sourceKey);
            else if (!destination.shape.AsSpan().SequenceEqual(tensor.shape) || destination.dtype != tensor.dtype)
                mismatched.Add(new WeightsShapeMismatch(key, sourceKey, destination.dtype, destination.shape, tensor.dtype, tensor.shape));
            else if (matched.TryGetValue(key, out var first))
                duplicates.Add($"{key}: file entries '{first.SourceKey}' and '{sourceKey}' both map to it");
            else
                matched.Add(key, (sourceKey, tensor));
        }
        return (matched, renamed, ignored, unexpected, mismatched, duplicates);
    }

    /// <summary>Copies the matched tensors into the module's entries (without recording gradients); returns the names loaded.</summary>
    private static List<string> Copy(Dictionary<string, Tensor> target, Dictionary<string, (string SourceKey, Tensor Tensor)> matched)
    {
        var loaded = new List<string>(matched.Count);
        using (no_grad())
        {
            foreach (var (key, (_, tensor)) in matched)
            {
                target[key].copy_(tensor);
                loaded.Add(key);
            }
        }
        return loaded;
    }

    private static WeightsLoadOptions Options(bool strict, IEnumerable<string>? ignoredPrefixes) =>
        ignoredPrefixes is null && strict
            ? WeightsLoadOptions.Default
            : new WeightsLoadOptions { Strict = strict, IgnoredPrefixes = [.. ignoredPrefixes ?? []] };

    private static string? Hint(WeightsLoadOptions options, bool shapes, bool names)
    {
        var hints = new List<string>();
        if (shapes && !options.SkipMismatchedShapes) hints.Add("SkipMismatchedShapes = true skips entries of another shape (a classifier for other classes)");
        if (names && options.Strict) hints.Add("Strict = false (or WeightsLoadOptions.Lenient) loads what fits and reports the rest; a KeyMap renames the file's entries");
        return hints.Count == 0 ? null : $"To load it anyway, use WeightsLoadOptions: {string.Join("; ", hints)}.";
    }
}
