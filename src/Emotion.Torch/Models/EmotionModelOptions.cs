using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;

namespace Emotion.Torch.Models;

/// <summary>
/// The complete description of an <see cref="EmotionModel"/>'s architecture: input, backbone, head, task, categories,
/// normalisation, output dropout and frozen stages. Immutable and JSON-serialisable (<see cref="EmotionModelInfo.JsonOptions"/>);
/// checkpoints store it beside the weights (<c>model.json</c>), and <see cref="EmotionModel.FromOptions"/> rebuilds the
/// architecture from it.
/// </summary>
/// <remarks>
/// How the model is trained is not part of it: the loss is <see cref="Training.TrainerOptions.Loss"/> and the seeds are
/// <see cref="EmotionModelBuilder.WithSeed"/> (initial weights) and <see cref="Training.TrainerOptions.Seed"/> (each epoch).
/// Files written before the training settings left this record carry <c>loss</c> and <c>seed</c> fields; <see cref="FromJson"/>
/// reads such files and ignores both. A checkpoint's <c>training.json</c> holds the same loss, which
/// <see cref="Training.TrainingState.FromJson"/> moves into the trainer options; the initial-weights seed has no use once the
/// weights exist.
/// </remarks>
public sealed record EmotionModelOptions
{
    /// <summary>The version of this description's layout.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The per-frame CNN.</summary>
    public required BackboneSpec Backbone { get; init; }

    /// <summary>The recurrent head.</summary>
    public required HeadSpec Head { get; init; }

    /// <summary>What the model predicts.</summary>
    public EmotionTask Task { get; init; } = EmotionTask.Combined;

    /// <summary>The categories in logit order: <see cref="EmotionCategories.Basic"/> (7) or <see cref="EmotionCategories.WithOther"/> (8); ignored for valence/arousal only.</summary>
    public ImmutableArray<EmotionCategory> Categories { get; init; } = EmotionCategories.Basic;

    /// <summary>Side of the square frames in pixels.</summary>
    public required int FrameSize { get; init; }

    /// <summary>The sequence length used for training (any length is accepted at inference).</summary>
    public int SequenceLength { get; init; } = 8;

    /// <summary>The per-channel normalisation the frames get before the backbone.</summary>
    public required Normalization Normalization { get; init; }

    /// <summary>
    /// How valence/arousal are produced by a combined model: a trained regression layer (default) or the expected
    /// circumplex position of the category probabilities (<see cref="ValenceArousalSource.CategoryExpectation"/>, used by
    /// the pretrained expression networks, which were never trained on valence/arousal; such a model has no regressor).
    /// </summary>
    public ValenceArousalSource ValenceArousalSource { get; init; } = ValenceArousalSource.Regressed;

    /// <summary>Where the weights come from when imported (see <see cref="EmotionModelInfo.Origin"/>); null for models trained here.</summary>
    public string? Origin { get; init; }

    /// <summary>Dropout applied to the head's output before the classifier and regressor.</summary>
    public double OutputDropout { get; init; }

    /// <summary>Backbone stages frozen when the model is built.</summary>
    public ImmutableArray<string> FrozenStages { get; init; } = [];

    /// <summary>The number of category logits (0 for a valence/arousal-only model).</summary>
    public int ClassCount => Task.HasCategories() && !Categories.IsDefault ? Categories.Length : 0;

    /// <summary>The Emotion.Core description consumers of the model need (task, categories, size, normalisation, sequence length).</summary>
    public EmotionModelInfo ToInfo() => new()
    {
        Task = Task,
        Categories = Task.HasCategories() ? Categories : [],
        FrameSize = FrameSize,
        Normalization = Normalization,
        SequenceLength = SequenceLength,
        ValenceArousalSource = ValenceArousalSource,
        Origin = Origin,
    };

    /// <summary>Whether the model has a valence/arousal regression layer (a combined or VA model that does not estimate VA from its categories).</summary>
    public bool HasRegressor => Task.HasValenceArousal() && ValenceArousalSource == ValenceArousalSource.Regressed;

    /// <summary>The problems with these options, each a sentence saying what to change (empty when valid). Backbone-specific checks happen when the backbone is built.</summary>
    public IReadOnlyList<string> Validate(BackboneRegistry? registry = null)
    {
        var problems = new List<string>();
        if (FormatVersion != 1) problems.Add($"Options format version {FormatVersion} is not supported by this library (expected 1).");
        if (Backbone is null || string.IsNullOrWhiteSpace(Backbone.Name))
            problems.Add("No backbone is set; call WithBackbone(BackboneSpec.ResNet18()) or another backbone.");
        else if (!(registry ?? BackboneRegistry.Default).Contains(Backbone.Name))
            problems.Add($"Unknown backbone '{Backbone.Name}'; registered backbones are {string.Join(", ", (registry ?? BackboneRegistry.Default).Names)} (register your own with BackboneRegistry.Register).");
        if (Head is null) problems.Add("No recurrent head is set; call WithRecurrentHead(HeadSpec.Gru(...)) or HeadSpec.NoRecurrence().");
        else problems.AddRange(Head.Validate());
        if (!Enum.IsDefined(Task)) problems.Add($"Task {(int)Task} is not defined; use Categorical, ValenceArousal or Combined.");
        else if (Task.HasCategories())
        {
            if (Categories.IsDefault || !(Categories.SequenceEqual(EmotionCategories.Basic) || Categories.SequenceEqual(EmotionCategories.WithOther)))
                problems.Add("The categories must be EmotionCategories.Basic (7 classes) or EmotionCategories.WithOther (8, with Other last).");
        }
        if (!Enum.IsDefined(ValenceArousalSource)) problems.Add($"Valence/arousal source {(int)ValenceArousalSource} is not defined; use Regressed or CategoryExpectation.");
        else if (ValenceArousalSource == ValenceArousalSource.CategoryExpectation)
        {
            if (Task != EmotionTask.Combined)
                problems.Add($"Valence/arousal estimated from the categories needs the combined task (got {Task.ToName()}).");
            else if (!Categories.IsDefault && !Categories.SequenceEqual(EmotionCategories.Basic))
                problems.Add("Valence/arousal estimated from the categories needs the 7 basic categories ('other' has no circumplex position).");
        }
        if (FrameSize <= 0) problems.Add($"The frame size must be positive (got {FrameSize}); for example WithInput(frames: 8, size: 112).");
        if (SequenceLength <= 0) problems.Add($"The sequence length must be positive (got {SequenceLength}); for example WithInput(frames: 8, size: 112).");
        if (Normalization is null) problems.Add("No normalization is set.");
        else
        {
            try { Normalization.Validate(); }
            catch (ArgumentOutOfRangeException e) { problems.Add(e.Message); }
        }
        if (!(OutputDropout >= 0 && OutputDropout < 1)) problems.Add($"The output dropout must be in [0, 1) (got {OutputDropout}).");
        return problems;
    }

    /// <summary>Serialises to JSON (camelCase, enums as strings).</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>
    /// Parses JSON written by <see cref="ToJson"/>, including files of earlier versions whose <c>loss</c> and <c>seed</c> fields
    /// (training settings, now in <see cref="Training.TrainerOptions"/>) are ignored.
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid model description.</exception>
    public static EmotionModelOptions FromJson(string json)
        => EmotionJson.Deserialize<EmotionModelOptions>(json, "model options file");

    /// <summary>Value equality, comparing the category and frozen-stage lists element by element.</summary>
    public bool Equals(EmotionModelOptions? other) =>
        other is not null
        && FormatVersion == other.FormatVersion
        && Equals(Backbone, other.Backbone)
        && Equals(Head, other.Head)
        && Task == other.Task
        && SeqEq(Categories, other.Categories)
        && FrameSize == other.FrameSize
        && SequenceLength == other.SequenceLength
        && Equals(Normalization, other.Normalization)
        && ValenceArousalSource == other.ValenceArousalSource
        && Origin == other.Origin
        && OutputDropout.Equals(other.OutputDropout)
        && SeqEq(FrozenStages, other.FrozenStages);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Backbone, Head, Task, FrameSize, SequenceLength, Normalization, OutputDropout);

    private static bool SeqEq<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.SequenceEqual(b);
}
