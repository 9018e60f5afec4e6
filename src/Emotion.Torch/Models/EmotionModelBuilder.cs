using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Models;

/// <summary>
/// Describes an <see cref="EmotionModel"/>'s architecture step by step; <see cref="Build"/> validates everything at once and says
/// what to change. How the model is trained (loss, optimizer, epochs) is <see cref="Training.TrainerOptions"/>.
/// </summary>
/// <example>
/// <code>
/// using var model = EmotionModel.Create()
///     .WithInput(frames: 8, size: 112)
///     .WithBackbone(BackboneSpec.ResNet18())
///     .WithRecurrentHead(HeadSpec.Gru(hidden: 128, layers: 2))
///     .ForTask(EmotionTask.Combined)
///     .OnDevice(DeviceType.CPU)
///     .WithSeed(42)
///     .Build();
/// </code>
/// </example>
public sealed class EmotionModelBuilder
{
    private int frameSize = 112;
    private int sequenceLength = 8;
    private BackboneSpec backbone = BackboneSpec.ResNet18();
    private HeadSpec head = HeadSpec.Gru();
    private EmotionTask task = EmotionTask.Combined;
    private ImmutableArray<EmotionCategory> categories = EmotionCategories.Basic;
    private Normalization? normalization;
    private double outputDropout;
    private ImmutableArray<string> frozenStages = [];
    private string? freezeUpTo;
    private bool freezeAll;
    private int? seed;
    private ValenceArousalSource valenceArousalSource = ValenceArousalSource.Regressed;
    private Device? device;
    private BackboneRegistry? registry;

    /// <summary>Sets the training sequence length and the square frame size (defaults: 8 frames of 112 x 112).</summary>
    public EmotionModelBuilder WithInput(int frames, int size)
    {
        sequenceLength = frames;
        frameSize = size;
        return this;
    }

    /// <summary>Sets the backbone (default ResNet-18); for example <c>BackboneSpec.MobileNetV3Small()</c>.</summary>
    public EmotionModelBuilder WithBackbone(BackboneSpec spec)
    {
        backbone = spec ?? throw new ArgumentNullException(nameof(spec));
        return this;
    }

    /// <summary>Sets the backbone by registry name with default options (built-in or registered by the user).</summary>
    public EmotionModelBuilder WithBackbone(string name) => WithBackbone(BackboneSpec.Named(name));

    /// <summary>Sets the recurrent head (default GRU, 128 units, 1 layer, per-frame).</summary>
    public EmotionModelBuilder WithRecurrentHead(HeadSpec spec)
    {
        head = spec ?? throw new ArgumentNullException(nameof(spec));
        return this;
    }

    /// <summary>Sets the task (default <see cref="EmotionTask.Combined"/>).</summary>
    public EmotionModelBuilder ForTask(EmotionTask emotionTask)
    {
        task = emotionTask;
        return this;
    }

    /// <summary>Sets the categories: <see cref="EmotionCategories.Basic"/> (default) or <see cref="EmotionCategories.WithOther"/>.</summary>
    public EmotionModelBuilder WithCategories(ImmutableArray<EmotionCategory> categoryList)
    {
        categories = categoryList;
        return this;
    }

    /// <summary>
    /// Sets how a combined model produces valence/arousal (default <see cref="ValenceArousalSource.Regressed"/>, a trained layer);
    /// <see cref="ValenceArousalSource.CategoryExpectation"/> estimates them from the category probabilities instead (no regressor).
    /// </summary>
    public EmotionModelBuilder WithValenceArousalSource(ValenceArousalSource source)
    {
        valenceArousalSource = source;
        return this;
    }

    /// <summary>Adds Aff-Wild2's <see cref="EmotionCategory.Other"/> as an eighth class (<see cref="EmotionCategories.WithOther"/>).</summary>
    public EmotionModelBuilder WithOtherCategory() => WithCategories(EmotionCategories.WithOther);

    /// <summary>Sets the normalisation of frames (default: the pretrained weights' when the backbone has them, else the backbone's: ImageNet for TorchVision networks).</summary>
    public EmotionModelBuilder WithNormalization(Normalization value)
    {
        normalization = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Sets the dropout applied before the output layers (default 0).</summary>
    public EmotionModelBuilder WithOutputDropout(double p)
    {
        outputDropout = p;
        return this;
    }

    /// <summary>Freezes backbone stages by name (see <see cref="Backbone.Stages"/>).</summary>
    public EmotionModelBuilder FreezeStages(params string[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        frozenStages = frozenStages.AddRange(stages);
        return this;
    }

    /// <summary>Freezes the whole backbone, or its stages up to and including <paramref name="upToStage"/>.</summary>
    public EmotionModelBuilder FreezeBackbone(string? upToStage = null)
    {
        if (upToStage is null) freezeAll = true;
        else freezeUpTo = upToStage;
        return this;
    }

    /// <summary>Puts the model on a device (default CPU).</summary>
    public EmotionModelBuilder OnDevice(DeviceType deviceType) => OnDevice(new Device(deviceType));

    /// <summary>Puts the model on a device (default CPU).</summary>
    public EmotionModelBuilder OnDevice(Device target)
    {
        device = target ?? throw new ArgumentNullException(nameof(target));
        return this;
    }

    /// <summary>
    /// Seeds TorchSharp's global generator when <see cref="Build"/> initialises the weights (reproducible initial weights on CPU).
    /// The seed is an action of the build, not part of the architecture: <see cref="ToOptions"/> does not record it.
    /// </summary>
    public EmotionModelBuilder WithSeed(int value)
    {
        seed = value;
        return this;
    }

    /// <summary>Uses a backbone registry other than <see cref="BackboneRegistry.Default"/> (for example one resolved from DI).</summary>
    public EmotionModelBuilder WithRegistry(BackboneRegistry backboneRegistry)
    {
        registry = backboneRegistry ?? throw new ArgumentNullException(nameof(backboneRegistry));
        return this;
    }

    /// <summary>
    /// The AffWildNet setting of Kollias et al.: VGG-16 convolutions (VGG-Face layout, no batch norm) and a 4096-wide
    /// fully connected layer, a 2-layer GRU of 128 units with per-frame outputs, 96 x 96 frames scaled to [-1, 1],
    /// 80-frame training sequences. Later calls can still change any part (for example the task).
    /// </summary>
    public EmotionModelBuilder UseAffWildNetPreset()
    {
        frameSize = 96;
        sequenceLength = 80;
        backbone = BackboneSpec.Vgg16(fullyConnectedWidth: 4096);
        head = HeadSpec.Gru(hidden: 128, layers: 2);
        normalization = Normalization.MinusOneToOne;
        return this;
    }

    /// <summary>
    /// The AffWildNet setting (see <see cref="UseAffWildNetPreset()"/>) starting from pretrained VGG-16 weights: a
    /// TorchVision <c>vgg16</c> ImageNet state dict (<c>features.*</c>, <c>classifier.*</c>) or a VGG-Face one
    /// (<c>conv1_1</c> ... <c>conv5_3</c>, <c>fc6</c> ... <c>fc8</c>), loaded with
    /// <see cref="EmotionModelPresets.AffWildNetWeightsLoading"/>: every convolution must load; the first fully connected
    /// layer (<c>classifier.0</c> / <c>fc6</c>) goes to <c>fc.0</c> when its shape fits (224 x 224 frames) and is skipped
    /// otherwise; the other classifier layers are ignored. <c>Backbone.WeightsLoad</c> reports what was loaded.
    /// </summary>
    /// <param name="pretrainedWeights">The VGG-16 weights file (PyTorch, safetensors or TorchSharp format).</param>
    public EmotionModelBuilder UseAffWildNetPreset(string pretrainedWeights)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pretrainedWeights);
        UseAffWildNetPreset();
        backbone = BackboneSpec.Vgg16(pretrainedWeights, fullyConnectedWidth: 4096) with { WeightsLoading = EmotionModelPresets.AffWildNetWeightsLoading };
        return this;
    }

    /// <summary>The options described so far (normalisation resolved to the backbone's default when not set).</summary>
    /// <exception cref="ArgumentException">The description is invalid (the message lists what to change).</exception>
    public EmotionModelOptions ToOptions()
    {
        var (options, reg) = Describe();
        if (!NeedsBackbone) return options;
        using var probe = EmotionModel.CreateBackbone(options, reg, loadPretrained: false);
        return Resolve(options, probe);
    }

    /// <summary>Validates the description and builds the model (the backbone is created once, after seeding).</summary>
    /// <exception cref="ArgumentException">The description is invalid (the message lists what to change).</exception>
    public EmotionModel Build()
    {
        var (options, reg) = Describe();
        if (seed is { } s) TorchSharp.torch.random.manual_seed(s);
        var backbone = EmotionModel.CreateBackbone(options, reg, loadPretrained: true);
        try
        {
            return EmotionModel.Build(Resolve(options, backbone), device, reg, fresh: true, backbone);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    private bool NeedsBackbone => normalization is null || freezeAll || freezeUpTo is not null;

    /// <summary>
    /// Starts from a pretrained catalogue entry's backbone and weights (<see cref="BackboneSpec.Pretrained"/>) at the entry's
    /// input size, keeping the sequence length; frames get the entry's normalisation unless another is set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not in the catalogue.</exception>
    public EmotionModelBuilder WithPretrainedBackbone(string name, string? directory = null)
    {
        var entry = Pretrained.PretrainedModels.Get(name);
        backbone = BackboneSpec.Pretrained(name, directory);
        frameSize = entry.InputSize;
        return this;
    }

    private (EmotionModelOptions Options, BackboneRegistry Registry) Describe()
    {
        var reg = registry ?? BackboneRegistry.Default;
        var options = new EmotionModelOptions
        {
            Backbone = backbone,
            Head = head,
            Task = task,
            Categories = categories,
            FrameSize = frameSize,
            SequenceLength = sequenceLength,
            Normalization = normalization ?? Normalization.ImageNet,
            OutputDropout = outputDropout,
            FrozenStages = frozenStages,
            ValenceArousalSource = valenceArousalSource,
        };
        var problems = options.Validate(reg);
        if (problems.Count > 0)
            throw new ArgumentException($"Cannot build the emotion model: {string.Join(" ", problems)}");
        return (options, reg);
    }

    // The backbone's default normalisation and stage names are known once it exists.
    private EmotionModelOptions Resolve(EmotionModelOptions options, Backbone created)
    {
        var stages = frozenStages;
        if (freezeAll) stages = [.. created.Stages];
        else if (freezeUpTo is not null)
        {
            int index = created.Stages.ToList().IndexOf(freezeUpTo);
            if (index < 0)
                throw new ArgumentException(
                    $"Cannot build the emotion model: backbone '{backbone.Name}' has no stage '{freezeUpTo}' to freeze up to; its stages are {string.Join(", ", created.Stages)}.");
            stages = [.. stages.Concat(created.Stages.Take(index + 1)).Distinct()];
        }
        var pretrained = backbone.PretrainedWeights is { } name ? Pretrained.PretrainedModels.Get(name).Normalization : null;
        return options with { Normalization = normalization ?? pretrained ?? created.DefaultNormalization, FrozenStages = stages };
    }
}
