using static TorchSharp.torch;

namespace Emotion.Torch.Weights;

/// <summary>
/// Copies a state dictionary into a module after checking it entry by entry: names, shapes and element types.
/// Unlike <c>Module.load</c>, a mismatch throws a <see cref="WeightsMismatchException"/> that lists what differs.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Reads a weights file (TorchSharp, PyTorch or safetensors, see <see cref="StateDictFile.DetectFormat"/>) and copies it into <paramref name="module"/>.</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="path">The weights file.</param>
    /// <param name="strict">When true, every module entry must be in the file and every file entry (outside <paramref name="ignoredPrefixes"/>) in the module.</param>
    /// <param name="ignoredPrefixes">File entries starting with one of these are skipped (for example <c>fc.</c>, a pretrained classifier).</param>
    /// <exception cref="WeightsMismatchException">The file does not fit the module.</exception>
    public static WeightsLoadResult Load(nn.Module module, string path, bool strict = true, IEnumerable<string>? ignoredPrefixes = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var format = StateDictFile.DetectFormat(path);
        var source = StateDictFile.Read(path);
        try
        {
            return Apply(module, source, path, format, strict, ignoredPrefixes);
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
    /// <param name="strict">See <see cref="Load"/>.</param>
    /// <param name="ignoredPrefixes">See <see cref="Load"/>.</param>
    /// <exception cref="WeightsMismatchException">The tensors do not fit the module.</exception>
    public static WeightsLoadResult Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName,
        WeightsFormat format = WeightsFormat.TorchSharp, bool strict = true, IEnumerable<string>? ignoredPrefixes = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        var prefixes = ignoredPrefixes?.ToArray() ?? [];
        var target = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var unexpected = new List<string>();
        var ignored = new List<string>();
        var mismatched = new List<string>();

        foreach (var (key, tensor) in source)
        {
            if (Array.Exists(prefixes, p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                ignored.Add(key);
                continue;
            }
            if (!target.TryGetValue(key, out var destination))
            {
                (strict ? unexpected : ignored).Add(key);
                continue;
            }
            if (!destination.shape.AsSpan().SequenceEqual(tensor.shape) || destination.dtype != tensor.dtype)
                mismatched.Add($"{key}: expected {Describe(destination)}, file has {Describe(tensor)}");
        }
        foreach (var key in target.Keys)
            if (!source.ContainsKey(key)) missing.Add(key);

        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new WeightsMismatchException(sourceName, $"this {module.GetName()} module", missing, unexpected, mismatched);

        using (no_grad())
        {
            foreach (var (key, tensor) in source)
            {
                if (!target.TryGetValue(key, out var destination) || ignored.Contains(key)) continue;
                destination.copy_(tensor);
                loaded.Add(key);
            }
        }
        return new WeightsLoadResult(format, loaded, missing, ignored);
    }

    private static string Describe(Tensor t) => $"{t.dtype} [{string.Join(", ", t.shape)}]";
}
