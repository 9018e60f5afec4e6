using System.Text;
using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Models;

/// <summary>
/// A CNN + RNN emotion model (Kollias &amp; Zafeiriou, 2019): a per-frame <see cref="Backbone"/> (<c>[B x T, 3, S, S]</c> to
/// <c>[B x T, F]</c>, one call for all frames), a <see cref="RecurrentHead"/> over time and the output layers: category
/// logits (<c>classifier</c>, Linear) and valence/arousal (<c>regressor</c>, Linear followed by tanh, bounded to [-1, 1]).
/// A plain TorchSharp module: its registered submodules are <c>backbone</c>, <c>head</c>, optional <c>dropout</c>,
/// <c>classifier</c> and <c>regressor</c>; state-dict keys follow (for example <c>backbone.layer1.0.conv1.weight</c>,
/// <c>head.rnn.weight_ih_l0</c>, <c>classifier.weight</c>).
/// </summary>
/// <remarks>
/// Frames must already be normalised with <see cref="Info"/>.Normalization (see <see cref="Normalize"/>). Build one with
/// <see cref="Create"/> (fluent) or <see cref="FromOptions"/>; save with <see cref="Save"/> and reload with <see cref="Load"/>.
/// </remarks>
public sealed class EmotionModel : nn.Module<Tensor, EmotionOutput>
{
    /// <summary>The file name of the options JSON in a saved model folder.</summary>
    public const string OptionsFileName = "model.json";

    /// <summary>The file name of the weights (a TorchSharp state dictionary) in a saved model folder.</summary>
    public const string WeightsFileName = "weights.dat";

    private readonly Backbone backbone;
    private readonly RecurrentHead head;
    private readonly Dropout? dropout;
    private readonly Linear? classifier;
    private readonly Linear? regressor;
    private readonly float[]? circumplex; // [C, 2] positions when valence/arousal are estimated from the categories

    private EmotionModel(EmotionModelOptions options, Backbone backbone, RecurrentHead head) : base(nameof(EmotionModel))
    {
        Options = options;
        Info = options.ToInfo();
        this.backbone = backbone;
        this.head = head;
        register_module(nameof(backbone), backbone);
        register_module(nameof(head), head);
        if (options.OutputDropout > 0)
        {
            dropout = nn.Dropout(options.OutputDropout);
            register_module(nameof(dropout), dropout);
        }
        if (options.Task.HasCategories())
        {
            classifier = nn.Linear(head.OutputWidth, options.ClassCount);
            register_module(nameof(classifier), classifier);
        }
        if (options.HasRegressor)
        {
            regressor = nn.Linear(head.OutputWidth, 2);
            register_module(nameof(regressor), regressor);
        }
        else if (options.Task.HasValenceArousal())
        {
            circumplex = CircumplexReference.RussellMehrabian1977.PositionMatrix(options.Categories);
        }
    }

    /// <summary>Starts a fluent description of a model.</summary>
    public static EmotionModelBuilder Create() => new();

    /// <summary>The complete architecture (serialisable; <see cref="FromOptions"/> rebuilds it).</summary>
    public EmotionModelOptions Options { get; }

    /// <summary>What consumers need to feed the model and read it: task, categories, frame size, normalisation, sequence length.</summary>
    public EmotionModelInfo Info { get; }

    /// <summary>The per-frame CNN, <c>[N, 3, S, S]</c> to <c>[N, F]</c> (feature layers for Grad-CAM, stages for freezing).</summary>
    public Backbone Backbone => backbone;

    /// <summary>The recurrent head, <c>[B, T, F]</c> to <c>[B, T', H]</c>.</summary>
    public RecurrentHead Head => head;

    /// <summary>The category layer (<c>[.., H]</c> to <c>[.., C]</c>), or null for a valence/arousal-only model.</summary>
    public Linear? Classifier => classifier;

    /// <summary>
    /// The valence/arousal layer before tanh (<c>[.., H]</c> to <c>[.., 2]</c>), or null for a categorical-only model and
    /// for a model that estimates valence/arousal from its categories (<see cref="EmotionModelOptions.ValenceArousalSource"/>).
    /// </summary>
    public Linear? Regressor => regressor;

    /// <summary>The device of the model's parameters.</summary>
    public Device Device => backbone.parameters().FirstOrDefault()?.device ?? head.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>
    /// Creates the model described by <paramref name="options"/>, with fresh weights drawn from TorchSharp's global generator
    /// (seed it first with <c>torch.random.manual_seed</c>, or use <see cref="EmotionModelBuilder.WithSeed"/>, for reproducible
    /// weights) and the backbone's pretrained weights file when given.
    /// </summary>
    /// <param name="options">The architecture.</param>
    /// <param name="device">Where to put the model (CPU when null).</param>
    /// <param name="registry">Where to find the backbone (<see cref="BackboneRegistry.Default"/> when null).</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists what to change).</exception>
    public static EmotionModel FromOptions(EmotionModelOptions options, Device? device = null, BackboneRegistry? registry = null) =>
        Build(options, device, registry, fresh: true);

    internal static EmotionModel Build(EmotionModelOptions options, Device? device, BackboneRegistry? registry, bool fresh, Backbone? prebuilt = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        registry ??= BackboneRegistry.Default;
        var problems = options.Validate(registry);
        if (problems.Count > 0)
            throw new ArgumentException($"Cannot build the emotion model: {string.Join(" ", problems)}", nameof(options));

        Backbone? createdBackbone = prebuilt;
        RecurrentHead? createdHead = null;
        try
        {
            createdBackbone ??= CreateBackbone(options, registry, loadPretrained: fresh);
            foreach (var stage in options.FrozenStages)
            {
                if (!createdBackbone.Stages.Contains(stage))
                    throw new ArgumentException(
                        $"Cannot build the emotion model: backbone '{options.Backbone.Name}' has no stage '{stage}' to freeze; its stages are {string.Join(", ", createdBackbone.Stages)}.",
                        nameof(options));
            }
            createdHead = RecurrentHead.Create(options.Head, createdBackbone.FeatureWidth);
            var model = new EmotionModel(options, createdBackbone, createdHead);
            foreach (var stage in options.FrozenStages) createdBackbone.Freeze(stage);
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            return model;
        }
        catch
        {
            createdHead?.Dispose();
            createdBackbone?.Dispose();
            throw;
        }
    }

    internal static Backbone CreateBackbone(EmotionModelOptions options, BackboneRegistry registry, bool loadPretrained)
    {
        try
        {
            return registry.Create(options.Backbone, new BackboneBuildContext(options.FrameSize), loadPretrained);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Cannot build the emotion model: backbone '{options.Backbone.Name}' rejected the options: {e.Message}", nameof(options), e);
        }
    }

    /// <summary>Runs the model on a batch of sequences <c>[B, T, 3, S, S]</c> (normalised frames) from a zero state.</summary>
    public override EmotionOutput forward(Tensor frames) => Forward(frames, null);

    /// <summary>
    /// Runs the model on <c>[B, T, 3, S, S]</c>, continuing from <paramref name="state"/> (the <see cref="EmotionOutput.State"/>
    /// of the previous chunk of the same streams) when given: processing a sequence in chunks with the state carried over
    /// gives the same per-frame outputs as processing it whole (not for bidirectional heads).
    /// </summary>
    /// <exception cref="ArgumentException">The frames have the wrong shape, size or type.</exception>
    /// <exception cref="InvalidOperationException">A state was given to a bidirectional head.</exception>
    public EmotionOutput Forward(Tensor frames, RecurrentState? state)
    {
        CheckFrames(frames);
        long batch = frames.shape[0], time = frames.shape[1];
        using var scope = NewDisposeScope();
        var features = ComputeFrameFeatures(frames).view(batch, time, backbone.FeatureWidth);
        var (sequence, newState) = head.call(features, state);
        var x = dropout is null ? sequence : dropout.call(sequence);
        var logits = classifier?.call(x);
        var valenceArousal = regressor is not null ? regressor.call(x).tanh_()
            : circumplex is not null ? ExpectedCircumplexPosition(logits!) : null;
        return new EmotionOutput(sequence, logits, valenceArousal, newState).MoveToOuterDisposeScope();
    }

    /// <summary><c>softmax(logits) x M</c>: the expected circumplex position of the category probabilities, <c>[.., 2]</c>.</summary>
    private Tensor ExpectedCircumplexPosition(Tensor logits)
    {
        using var positions = tensor(circumplex!, [circumplex!.Length / 2, 2], dtype: logits.dtype, device: logits.device);
        return logits.softmax(-1).matmul(positions);
    }

    /// <summary>The backbone's per-frame features <c>[B, T, F]</c> (before the recurrent head), for feature-space views.</summary>
    /// <exception cref="ArgumentException">The frames have the wrong shape, size or type.</exception>
    public Tensor ExtractFrameFeatures(Tensor frames)
    {
        CheckFrames(frames);
        using var scope = NewDisposeScope();
        return ComputeFrameFeatures(frames).view(frames.shape[0], frames.shape[1], backbone.FeatureWidth).MoveToOuterDisposeScope();
    }

    /// <summary>Normalises frames with pixels in [0, 1] (any shape ending in <c>[3, H, W]</c>) with <see cref="Info"/>.Normalization.</summary>
    public Tensor Normalize(Tensor frames01)
    {
        ArgumentNullException.ThrowIfNull(frames01);
        if (frames01.dim() < 3 || frames01.shape[^3] != 3)
            throw new ArgumentException($"Expected frames [..., 3, H, W], got [{string.Join(", ", frames01.shape)}].", nameof(frames01));
        using var scope = NewDisposeScope();
        var n = Options.Normalization;
        var mean = tensor(new[] { n.Mean.R, n.Mean.G, n.Mean.B }, device: frames01.device).view(3, 1, 1);
        var std = tensor(new[] { n.Std.R, n.Std.G, n.Std.B }, device: frames01.device).view(3, 1, 1);
        return ((frames01 - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>The backbone's parameters (a parameter group, for example for a lower learning rate).</summary>
    public IEnumerable<Parameter> BackboneParameters() => backbone.parameters();

    /// <summary>The recurrent head's and output layers' parameters (the other parameter group).</summary>
    public IEnumerable<Parameter> HeadParameters()
    {
        foreach (var p in head.parameters()) yield return p;
        if (classifier is not null) foreach (var p in classifier.parameters()) yield return p;
        if (regressor is not null) foreach (var p in regressor.parameters()) yield return p;
    }

    /// <summary>
    /// Saves the model into a folder: <see cref="WeightsFileName"/> (the state dictionary in TorchSharp's format) and
    /// <see cref="OptionsFileName"/> (the options JSON), each written atomically (temporary file + rename).
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        SaveWeights(Path.Combine(directory, WeightsFileName));
        var json = Encoding.UTF8.GetBytes(Options.ToJson());
        Emotion.Core.IO.AtomicFile.Write(Path.Combine(directory, OptionsFileName), s => s.Write(json));
    }

    /// <summary>Saves only the weights (state dictionary, TorchSharp format) to a file, atomically.</summary>
    public void SaveWeights(string path) => StateDictFile.Write(path, state_dict());

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> (or a PyTorch / safetensors state dict with the same keys).</summary>
    /// <exception cref="WeightsMismatchException">The file was saved for another architecture (the message lists the differences).</exception>
    public WeightsLoadResult LoadWeights(string path, bool strict = true) => StateDictLoader.Load(this, path, strict);

    /// <summary>
    /// Loads weights as <paramref name="options"/> say, for example a checkpoint with another number of categories
    /// (<c>WeightsLoadOptions.Default with { SkipMismatchedShapes = true }</c> skips and reports its classifier).
    /// </summary>
    /// <exception cref="WeightsMismatchException">The file does not fit under these options (the message lists the differences).</exception>
    public WeightsLoadResult LoadWeights(string path, WeightsLoadOptions options) => StateDictLoader.Load(this, path, options);

    /// <summary>
    /// Loads a model saved by <see cref="Save"/>: <paramref name="path"/> is the folder, its <see cref="OptionsFileName"/>
    /// or its <see cref="WeightsFileName"/>. The architecture comes from the options JSON; no argument re-states it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder lacks the options or the weights.</exception>
    /// <exception cref="FormatException">The options file is not valid.</exception>
    /// <exception cref="WeightsMismatchException">The weights do not fit the architecture in the options.</exception>
    public static EmotionModel Load(string path, Device? device = null, BackboneRegistry? registry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string directory;
        if (Directory.Exists(path)) directory = path;
        else if (File.Exists(path)) directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        else throw new FileNotFoundException(
            $"'{path}' does not exist; expected a saved emotion model folder (with {OptionsFileName} and {WeightsFileName}) or one of its files.", path);
        var optionsPath = Path.Combine(directory, OptionsFileName);
        var weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(optionsPath))
            throw new FileNotFoundException($"'{path}' is not a saved emotion model: '{optionsPath}' does not exist (EmotionModel.Save writes {OptionsFileName} and {WeightsFileName}).", optionsPath);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"The saved emotion model in '{directory}' has no weights file '{WeightsFileName}'.", weightsPath);
        EmotionModelOptions options;
        try
        {
            options = EmotionModelOptions.FromJson(File.ReadAllText(optionsPath));
        }
        catch (FormatException e)
        {
            throw new FormatException($"'{optionsPath}': {e.Message}", e);
        }
        var model = Build(options, null, registry, fresh: false);
        try
        {
            model.LoadWeights(weightsPath);
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the backbone under autocast to <paramref name="dtype"/> (<see cref="TorchAutocast"/>) in every forward pass until the
    /// returned scope is disposed: convolutions and linear layers of the backbone compute in bfloat16 or float16 from the float32
    /// weights, and the per-frame features are converted back to float32 before the recurrent head, so the head, the output layers
    /// and any loss stay float32. This is how the <see cref="Training.Trainer"/> runs a <see cref="Training.TrainingPrecision.BFloat16"/>
    /// or <see cref="Training.TrainingPrecision.Float16"/> step; it also serves lower-precision inference. Disposing restores the
    /// previous setting; scopes nest. Applies to forward passes on the thread that runs them (libtorch's autocast state is
    /// per thread) while the scope is open.
    /// </summary>
    /// <param name="dtype"><see cref="ScalarType.BFloat16"/> or <see cref="ScalarType.Float16"/>.</param>
    /// <exception cref="ArgumentException">Another type.</exception>
    /// <exception cref="NotSupportedException">libtorch's autocast entry points are missing (<see cref="TorchAutocast.IsAvailable"/>).</exception>
    public IDisposable AutocastBackbone(ScalarType dtype)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"The backbone can be autocast to BFloat16 or Float16; got {dtype}.", nameof(dtype));
        if (!TorchAutocast.IsAvailable)
            throw new NotSupportedException("libtorch's autocast entry points were not found in the loaded libtorch, so the backbone cannot run in lower precision.");
        // oneDNN's 16-bit kernels are wrong for some convolutions on some CPUs: checked once per model and type, and switched
        // off where this model's forward would be wrong.
        if (Device.type == DeviceType.CPU) CheckConvolutions(dtype);
        var previous = backboneAutocast;
        backboneAutocast = dtype;
        return new AutocastScope(this, previous);
    }

    /// <summary>
    /// Checks the kernels of the backbone's convolutions in <paramref name="dtype"/> at the model's frame size
    /// (<see cref="TorchNativeSettings.CheckConvolutions"/>), once per model and type (later calls return the first outcome):
    /// where a forward output is wrong oneDNN is switched off for the process, where a gradient is wrong for backward passes.
    /// <see cref="AutocastBackbone"/> on the CPU runs it before its first use of a type, so a lower-precision forward pass never
    /// runs on wrong kernels; a CPU <see cref="Training.Trainer"/> runs it in its training type and runs backward passes on
    /// oneDNN where it passed (<see cref="ModelConvolutionCheck.BackwardOnOneDnn"/>).
    /// </summary>
    /// <param name="dtype"><see cref="ScalarType.Float32"/>, <see cref="ScalarType.BFloat16"/> or <see cref="ScalarType.Float16"/>.</param>
    /// <returns>The check; null when <c>EMOTION_CONV_SELF_CHECK=0</c> or when it could not run.</returns>
    /// <exception cref="ArgumentException">Another type.</exception>
    public ModelConvolutionCheck? CheckConvolutions(ScalarType dtype) =>
        // TorchNativeSettings validates the type before anything runs, and an exception caches nothing.
        convolutionChecks.GetOrAdd(dtype, type => TorchNativeSettings.CheckConvolutions(backbone, [1, 3, Options.FrameSize, Options.FrameSize], type));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ScalarType, ModelConvolutionCheck?> convolutionChecks = new();

    /// <summary>The type the backbone currently runs in under <see cref="AutocastBackbone"/>, or null (float32).</summary>
    public ScalarType? BackboneAutocastType => backboneAutocast;

    private ScalarType? backboneAutocast;

    private sealed class AutocastScope(EmotionModel model, ScalarType? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            model.backboneAutocast = previous;
        }
    }

    private Tensor ComputeFrameFeatures(Tensor frames)
    {
        long n = frames.shape[0] * frames.shape[1];
        var flat = frames.reshape(n, 3, frames.shape[3], frames.shape[4]);
        if (!flat.is_contiguous()) flat = flat.contiguous();
        if (backboneAutocast is not { } lower) return backbone.call(flat);
        Tensor features;
        using (TorchAutocast.Enter(flat.device.type, lower)) features = backbone.call(flat);
        return features.dtype == ScalarType.Float32 ? features : features.to(ScalarType.Float32);
    }

    private void CheckFrames(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int s = Options.FrameSize;
        if (frames.dim() != 5 || frames.shape[2] != 3 || frames.shape[3] != s || frames.shape[4] != s || frames.shape[0] == 0 || frames.shape[1] == 0)
            throw new ArgumentException(
                $"The model expects frames [B, T, 3, {s}, {s}] (batch, time, RGB, height, width), got [{string.Join(", ", frames.shape)}].", nameof(frames));
        if (frames.dtype != ScalarType.Float32)
            throw new ArgumentException($"The model expects float32 frames, got {frames.dtype}.", nameof(frames));
    }
}
