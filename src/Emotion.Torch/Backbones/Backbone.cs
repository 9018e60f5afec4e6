using Emotion.Core;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A per-frame convolutional feature extractor: <c>[N, 3, H, W]</c> to <c>[N, FeatureWidth]</c>. Its submodules keep
/// their TorchVision / PyTorch names (for example <c>layer4.1.conv2</c>), so PyTorch state dicts load by name, Grad-CAM
/// finds layers by dotted path (<see cref="GetLayer"/>) and the ONNX exporter can walk the tree.
/// </summary>
/// <remarks>
/// A backbone is divided into named <see cref="Stages"/> (for example <c>stem</c>, <c>layer1</c> ... <c>layer4</c>) that can be
/// frozen: a frozen stage's parameters get <c>requires_grad = false</c> and its batch-norm layers stay in evaluation mode
/// (running statistics neither used from the batch nor updated) even when the model is switched to training mode.
/// </remarks>
public abstract class Backbone : nn.Module<Tensor, Tensor>
{
    private readonly List<string> stageNames = [];
    private readonly Dictionary<string, string[]> stageModules = new(StringComparer.Ordinal);
    private readonly HashSet<string> frozen = new(StringComparer.Ordinal);

    /// <summary>Applies <see cref="TorchNativeSettings"/> (no NNPACK probe, so no stderr warning) before the first backbone.</summary>
    static Backbone() => TorchNativeSettings.Apply();

    /// <summary>Creates a backbone with a module name (shown by TorchSharp, not used in state-dict keys).</summary>
    protected Backbone(string name) : base(name) { }

    /// <summary>The width <c>F</c> of the per-frame feature vector.</summary>
    public abstract int FeatureWidth { get; }

    /// <summary>The dotted path of the default Grad-CAM layer (the last convolutional block, for example <c>layer4</c>).</summary>
    public abstract string DefaultTargetLayer { get; }

    /// <summary>The normalisation the backbone expects by default (ImageNet statistics for TorchVision networks).</summary>
    public virtual Normalization DefaultNormalization => Normalization.ImageNet;

    /// <summary>
    /// Prefixes of entries a pretrained weights file may hold that the backbone has removed (for example <c>fc.</c> of a
    /// ResNet classifier); they are skipped by <see cref="LoadWeights(string, WeightsLoadOptions)"/>.
    /// </summary>
    public virtual IReadOnlyList<string> IgnoredWeightPrefixes => [];

    /// <summary>The stage names in input-to-output order (units of freezing).</summary>
    public IReadOnlyList<string> Stages => stageNames;

    /// <summary>The stages currently frozen.</summary>
    public IReadOnlyCollection<string> FrozenStages => frozen;

    /// <summary>The dotted paths of every submodule (valid arguments of <see cref="GetLayer"/>).</summary>
    public IReadOnlyList<string> LayerNames => named_modules().Select(m => m.name).Where(n => n.Length > 0).ToArray();

    /// <summary>Declares a stage made of the given submodule paths; call after registering the submodules.</summary>
    /// <exception cref="ArgumentException">A path does not exist or the stage is declared twice.</exception>
    protected void DefineStage(string name, params string[] modulePaths)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (stageModules.ContainsKey(name)) throw new ArgumentException($"Stage '{name}' is declared twice.", nameof(name));
        foreach (var path in modulePaths) GetLayer(path);
        stageNames.Add(name);
        stageModules.Add(name, modulePaths);
    }

    /// <summary>The submodule paths of a stage.</summary>
    /// <exception cref="ArgumentException">The stage does not exist.</exception>
    public IReadOnlyList<string> GetStageModules(string stage) => stageModules.TryGetValue(stage ?? "", out var paths)
        ? paths
        : throw new ArgumentException($"Backbone {GetName()} has no stage '{stage}'; its stages are {string.Join(", ", stageNames)}.", nameof(stage));

    /// <summary>Finds a submodule by dotted path (for example <c>layer4</c> or <c>features.42</c>).</summary>
    /// <exception cref="ArgumentException">No submodule has that path; the message lists the valid ones.</exception>
    public nn.Module GetLayer(string name)
    {
        if (TryGetLayer(name, out var layer)) return layer!;
        var names = LayerNames;
        var shown = names.Where(n => n.Count(c => c == '.') <= 1).ToArray();
        throw new ArgumentException(
            $"Backbone {GetName()} has no layer '{name}'. Valid layer names include: {string.Join(", ", shown)}" +
            (shown.Length < names.Count ? $" (and {names.Count - shown.Length} deeper paths such as '{names.First(n => n.Count(c => c == '.') > 1)}')." : "."),
            nameof(name));
    }

    /// <summary>Finds a submodule by dotted path; returns false when none has that path.</summary>
    public bool TryGetLayer(string name, out nn.Module? layer)
    {
        layer = null;
        if (string.IsNullOrEmpty(name)) return false;
        foreach (var (path, module) in named_modules())
        {
            if (path == name)
            {
                layer = module;
                return true;
            }
        }
        return false;
    }

    /// <summary>Freezes a stage: its parameters stop requiring gradients and its batch-norm layers stay in evaluation mode.</summary>
    /// <exception cref="ArgumentException">The stage does not exist.</exception>
    public void Freeze(string stage) => SetFrozen(stage, true);

    /// <summary>Unfreezes a stage: its parameters require gradients again and its batch norm follows the model's mode.</summary>
    /// <exception cref="ArgumentException">The stage does not exist.</exception>
    public void Unfreeze(string stage) => SetFrozen(stage, false);

    /// <summary>Freezes every stage from the first up to and including <paramref name="stage"/>.</summary>
    /// <exception cref="ArgumentException">The stage does not exist.</exception>
    public void FreezeUpTo(string stage)
    {
        GetStageModules(stage);
        foreach (var s in stageNames)
        {
            Freeze(s);
            if (s == stage) break;
        }
    }

    /// <summary>Freezes every stage (the whole backbone; only the recurrent and output layers train).</summary>
    public void FreezeAll()
    {
        foreach (var s in stageNames) Freeze(s);
    }

    /// <summary>Unfreezes every stage.</summary>
    public void UnfreezeAll()
    {
        foreach (var s in stageNames) Unfreeze(s);
    }

    /// <summary>Whether a stage is frozen.</summary>
    public bool IsFrozen(string stage)
    {
        GetStageModules(stage);
        return frozen.Contains(stage);
    }

    /// <summary>Sets training or evaluation mode; batch-norm layers of frozen stages stay in evaluation mode.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (train) ApplyFrozenBatchNorm();
    }

    /// <summary>
    /// Loads pretrained weights into the backbone from a TorchSharp, PyTorch (<c>torch.save(state_dict)</c>, through
    /// TorchSharp.PyBridge) or safetensors file; entries under <see cref="IgnoredWeightPrefixes"/> are skipped.
    /// </summary>
    /// <param name="path">The weights file; its keys are the backbone's own (for example <c>layer1.0.conv1.weight</c>).</param>
    /// <param name="strict">When true, every backbone entry must be in the file and no unknown entry may be.</param>
    /// <exception cref="WeightsMismatchException">The file does not fit this backbone (the message lists the differences).</exception>
    public WeightsLoadResult LoadWeights(string path, bool strict = true) =>
        LoadWeights(path, WeightsLoadOptions.Default with { Strict = strict });

    /// <summary>
    /// Loads pretrained weights as <paramref name="options"/> say (renamed keys, missing batch counters, skipped shapes,
    /// extra entries); entries under <see cref="IgnoredWeightPrefixes"/> are skipped as well. The result, also kept in
    /// <see cref="WeightsLoad"/>, lists everything not loaded.
    /// </summary>
    /// <exception cref="WeightsMismatchException">The file does not fit this backbone under these options.</exception>
    public WeightsLoadResult LoadWeights(string path, WeightsLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = StateDictLoader.Load(this, path, options.WithIgnoredPrefixes(IgnoredWeightPrefixes));
        WeightsLoad = result;
        return result;
    }

    /// <summary>
    /// What the last <see cref="LoadWeights(string, WeightsLoadOptions)"/> call loaded (for a backbone built from a spec
    /// with <see cref="BackboneSpec.WeightsPath"/>: that file), or null when no weights were loaded.
    /// </summary>
    public WeightsLoadResult? WeightsLoad { get; private set; }

    private void SetFrozen(string stage, bool freeze)
    {
        foreach (var path in GetStageModules(stage))
        {
            var module = GetLayer(path);
            foreach (var p in module.parameters()) p.requires_grad = !freeze;
        }
        if (freeze) frozen.Add(stage);
        else frozen.Remove(stage);
        if (training)
        {
            foreach (var path in GetStageModules(stage))
                foreach (var bn in BatchNorms(GetLayer(path))) bn.train(!freeze);
        }
    }

    private void ApplyFrozenBatchNorm()
    {
        foreach (var stage in frozen)
            foreach (var path in stageModules[stage])
                foreach (var bn in BatchNorms(GetLayer(path))) bn.eval();
    }

    private static IEnumerable<nn.Module> BatchNorms(nn.Module module) =>
        module.modules().Where(m => m is TorchSharp.Modules.BatchNorm);
}
