using Emotion.Torch.Weights;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Maps the tensors of a <see cref="TfjsModelFile"/> to a PyTorch-layout state dictionary (module keys such as
/// <c>backbone.dense0.conv0.weight</c>), converting layouts on the way, and remembers which source tensors it used.
/// <see cref="Build"/> returns the mapped tensors plus every source tensor the mapping did not use, under its TF.js name,
/// so that <see cref="StateDictLoader.Apply"/> (strict) reports them as unexpected instead of dropping them silently.
/// </summary>
/// <example>
/// <code>
/// var map = new TfjsStateDictBuilder(TfjsModelFile.Load("model.json"))
///     .Conv2d("conv/kernel", "conv.weight").Copy("conv/bias", "conv.bias").Dense("fc/kernel", "fc.weight");
/// var result = map.Apply(module); // throws WeightsMismatchException listing missing / unexpected / wrong-shape entries
/// </code>
/// </example>
public sealed class TfjsStateDictBuilder
{
    private readonly Dictionary<string, Func<Tensor>> entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    /// <summary>Starts an empty mapping of <paramref name="file"/>'s tensors.</summary>
    public TfjsStateDictBuilder(TfjsModelFile file) => File = file ?? throw new ArgumentNullException(nameof(file));

    /// <summary>The source file.</summary>
    public TfjsModelFile File { get; }

    /// <summary>The state-dictionary keys mapped so far, in mapping order.</summary>
    public IReadOnlyList<string> Keys => entries.Keys.ToArray();

    /// <summary>The source tensors no mapping has used yet, in manifest order.</summary>
    public IReadOnlyList<string> Unused => File.Weights.Select(w => w.Name).Where(n => !used.Contains(n)).ToArray();

    /// <summary>Maps a convolution kernel (HWIO to OIHW, <see cref="TfjsLayout.ConvHwioToOihw"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor <paramref name="tfName"/>.</exception>
    /// <exception cref="ArgumentException">The key is already mapped.</exception>
    public TfjsStateDictBuilder Conv2d(string tfName, string key) => Map(tfName, key, t => TfjsLayout.ConvHwioToOihw(t, tfName));

    /// <summary>Maps a depthwise kernel (<c>[kh, kw, C, M]</c> to <c>[C * M, 1, kh, kw]</c>, <see cref="TfjsLayout.DepthwiseToPyTorch"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor <paramref name="tfName"/>.</exception>
    /// <exception cref="ArgumentException">The key is already mapped.</exception>
    public TfjsStateDictBuilder Depthwise(string tfName, string key) => Map(tfName, key, t => TfjsLayout.DepthwiseToPyTorch(t, tfName));

    /// <summary>Maps a dense kernel (<c>[in, out]</c> to <c>[out, in]</c>, <see cref="TfjsLayout.DenseToPyTorch"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor <paramref name="tfName"/>.</exception>
    /// <exception cref="ArgumentException">The key is already mapped.</exception>
    public TfjsStateDictBuilder Dense(string tfName, string key) => Map(tfName, key, t => TfjsLayout.DenseToPyTorch(t, tfName));

    /// <summary>Maps a tensor unchanged (biases, batch-norm vectors).</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor <paramref name="tfName"/>.</exception>
    /// <exception cref="ArgumentException">The key is already mapped.</exception>
    public TfjsStateDictBuilder Copy(string tfName, string key) => Map(tfName, key, t => t.clone());

    /// <summary>
    /// Maps a tensor through any conversion: <paramref name="convert"/> receives the tensor in TensorFlow layout and returns
    /// the state-dictionary value (for example a kernel with permuted output rows).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor <paramref name="tfName"/>.</exception>
    /// <exception cref="ArgumentException">The key is already mapped.</exception>
    public TfjsStateDictBuilder Map(string tfName, string key, Func<Tensor, Tensor> convert)
    {
        ArgumentNullException.ThrowIfNull(convert);
        var source = File.GetTensor(tfName);
        AddEntry(key, () =>
        {
            using var scope = NewDisposeScope();
            var converted = convert(source.ToTensor());
            return (converted.is_contiguous() ? converted : converted.contiguous()).MoveToOuterDisposeScope();
        });
        used.Add(tfName);
        return this;
    }

    /// <summary>Marks source tensors as used without mapping them (for example values folded into another entry).</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor.</exception>
    public TfjsStateDictBuilder Consume(params string[] tfNames)
    {
        ArgumentNullException.ThrowIfNull(tfNames);
        foreach (var name in tfNames)
        {
            File.GetTensor(name);
            used.Add(name);
        }
        return this;
    }

    /// <summary>
    /// Creates the state dictionary: every mapped key, plus (when <paramref name="includeUnused"/>) each unused source
    /// tensor under its TF.js name, which a strict <see cref="StateDictLoader.Apply"/> reports as unexpected. The caller
    /// owns (and disposes) the tensors; they are not attached to any dispose scope.
    /// </summary>
    public Dictionary<string, Tensor> Build(bool includeUnused = true)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (key, make) in entries) result.Add(key, make().DetachFromDisposeScope());
            if (includeUnused)
                foreach (var name in Unused) result.TryAdd(name, File.GetTensor(name).ToTensor().DetachFromDisposeScope());
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the state dictionary (with unused source tensors) and copies it into <paramref name="module"/> through
    /// <see cref="StateDictLoader.Apply"/> with <see cref="WeightsFormat.TfJs"/>; the temporary tensors are disposed.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="strict">When true, every module entry must be mapped and every source tensor used.</param>
    /// <exception cref="WeightsMismatchException">Missing, unexpected (unused) or wrong-shape entries; the message lists them.</exception>
    public WeightsLoadResult Apply(nn.Module module, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var dict = Build();
        try
        {
            return StateDictLoader.Apply(module, dict, File.Path, WeightsFormat.TfJs, strict);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    private void AddEntry(string key, Func<Tensor> make)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!entries.TryAdd(key, make))
            throw new ArgumentException($"State-dictionary key '{key}' is mapped twice from '{File.Path}'.", nameof(key));
    }
}
