using Emotion.Core.IO;
using System.Collections.Immutable;
using Emotion.Core;

namespace Emotion.Onnx.Models;

/// <summary>
/// Everything the predictor must know to feed an ONNX model and read its outputs: the image input (name, layout, time
/// axis, size, channel order, normalisation), the label order of the category output and whether it holds logits or
/// probabilities, where valence and arousal are, and which recurrent states are carried between runs.
/// </summary>
/// <remarks>
/// Models exported by Emotion.Core carry this information as metadata and their descriptor is derived automatically
/// (<see cref="FromModelInfo"/>). Write one by hand to run a third-party model, for example a FER-2013 classifier:
/// <code>
/// new OnnxModelDescriptor
/// {
///     InputName = "input", Width = 224, Height = 224, Normalization = Normalization.ZeroToOne,
///     Labels = [.. EmotionLabels.Fer2013], CategoryOutput = "output",
/// }
/// </code>
/// </remarks>
public sealed record OnnxModelDescriptor
{
    /// <summary>The image input's name (default <c>frames</c>).</summary>
    public string InputName { get; init; } = OnnxTensorNames.Frames;

    /// <summary>Channels first (<c>NCHW</c>, default) or last (<c>NHWC</c>).</summary>
    public OnnxInputLayout Layout { get; init; } = OnnxInputLayout.Nchw;

    /// <summary>
    /// Whether the input has a time axis after the batch axis (<c>[B, T, 3, H, W]</c>, as Emotion.Core models) or takes
    /// single images (<c>[N, 3, H, W]</c>, as most third-party models; default).
    /// </summary>
    public bool HasTimeAxis { get; init; }

    /// <summary>The input width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>The input height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>The channel order (default RGB), or <see cref="ColorOrder.Gray"/> for a one-channel model.</summary>
    public ColorOrder ColorOrder { get; init; } = ColorOrder.Rgb;

    /// <summary>The input's channels: 1 for <see cref="ColorOrder.Gray"/>, else 3.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Channels => ColorOrder == ColorOrder.Gray ? 1 : 3;

    /// <summary>
    /// The per-channel normalisation of pixels scaled to [0, 1], <c>x' = (x - mean) / std</c> (in the model's channel
    /// order's RGB terms: the mean/std of red is <c>R</c> whatever <see cref="ColorOrder"/> is). A model that takes raw
    /// 0..255 values uses mean 0 and std 1/255; one that takes [0, 1] uses <see cref="Normalization.ZeroToOne"/> (the
    /// default, copied per descriptor: configuration binding sets properties in place, which must not reach the shared one).
    /// </summary>
    public Normalization Normalization { get; init; } = Normalization.ZeroToOne with { };

    /// <summary>The category output's name, or null when the model predicts no categories.</summary>
    public string? CategoryOutput { get; init; }

    /// <summary>Whether <see cref="CategoryOutput"/> holds logits (softmax applied, default) or probabilities.</summary>
    public CategoryOutputKind CategoryOutputKind { get; init; } = CategoryOutputKind.Logits;

    /// <summary>
    /// The label of each index of the category output, in order (for example <see cref="EmotionLabels.Fer2013"/>).
    /// Names are mapped to <see cref="EmotionCategory"/> with <see cref="EmotionLabels.TryMap"/> (and
    /// <see cref="LabelAliases"/>); labels that map to no category (such as <c>contempt</c>) are dropped and the remaining
    /// probabilities renormalised to sum to one.
    /// </summary>
    public ImmutableArray<string> Labels { get; init; } = [];

    /// <summary>Extra label names mapped to categories, checked before the built-in synonyms (optional).</summary>
    public ImmutableDictionary<string, EmotionCategory>? LabelAliases { get; init; }

    /// <summary>Where valence is (for example <c>valence_arousal[0]</c>), or null when the model predicts none.</summary>
    public OnnxOutputSlot? Valence { get; init; }

    /// <summary>Where arousal is (for example <c>valence_arousal[1]</c>), or null when the model predicts none.</summary>
    public OnnxOutputSlot? Arousal { get; init; }

    /// <summary>The recurrent states carried from one run to the next (empty for a stateless model).</summary>
    public ImmutableArray<OnnxStateBinding> States { get; init; } = [];

    /// <summary>
    /// Whether a sequence model returns one output row per input frame (true, default) or one per sequence for its last
    /// frame (false: a sequence-to-one model, Emotion.Core's <c>emotion.output_mode = sequence</c>). A sequence-to-one
    /// model is run one frame at a time with its state carried, so that every frame gets the prediction for the video
    /// up to that frame.
    /// </summary>
    public bool PerFrameOutputs { get; init; } = true;

    /// <summary>The model's description when it was exported by Emotion.Core, or null for a third-party model.</summary>
    public EmotionModelInfo? ModelInfo { get; init; }

    /// <summary>
    /// The descriptor of a model exported by Emotion.Core: input <c>frames</c> <c>[B, T, 3, H, W]</c> with the size and
    /// normalisation of <paramref name="info"/>, <c>logits</c> in the order of <see cref="EmotionModelInfo.Categories"/>,
    /// <c>valence_arousal</c> and the state pairs <c>h0→hn</c>, <c>c0→cn</c> that the graph has.
    /// </summary>
    /// <param name="info">The model description read from the metadata.</param>
    /// <param name="graphInputs">The graph's input names.</param>
    /// <param name="graphOutputs">The graph's output names.</param>
    public static OnnxModelDescriptor FromModelInfo(EmotionModelInfo info, IReadOnlyCollection<string> graphInputs, IReadOnlyCollection<string> graphOutputs)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(graphInputs);
        ArgumentNullException.ThrowIfNull(graphOutputs);
        var states = ImmutableArray.CreateBuilder<OnnxStateBinding>();
        if (graphInputs.Contains(OnnxTensorNames.HiddenIn) && graphOutputs.Contains(OnnxTensorNames.HiddenOut))
            states.Add(new OnnxStateBinding(OnnxTensorNames.HiddenIn, OnnxTensorNames.HiddenOut));
        if (graphInputs.Contains(OnnxTensorNames.CellIn) && graphOutputs.Contains(OnnxTensorNames.CellOut))
            states.Add(new OnnxStateBinding(OnnxTensorNames.CellIn, OnnxTensorNames.CellOut));

        string? categoryOutput = null;
        var kind = CategoryOutputKind.Logits;
        if (info.Task.HasCategories())
        {
            if (graphOutputs.Contains(OnnxTensorNames.Logits)) categoryOutput = OnnxTensorNames.Logits;
            else if (graphOutputs.Contains(OnnxTensorNames.Probabilities))
            {
                categoryOutput = OnnxTensorNames.Probabilities;
                kind = CategoryOutputKind.Probabilities;
            }
        }
        bool va = info.Task.HasValenceArousal() && graphOutputs.Contains(OnnxTensorNames.ValenceArousal);
        return new OnnxModelDescriptor
        {
            InputName = OnnxTensorNames.Frames,
            Layout = OnnxInputLayout.Nchw,
            HasTimeAxis = true,
            Width = info.FrameSize,
            Height = info.FrameSize,
            Normalization = info.Normalization,
            CategoryOutput = categoryOutput,
            CategoryOutputKind = kind,
            Labels = info.Task.HasCategories() ? [.. info.Categories.Select(c => c.ToName())] : [],
            Valence = va ? new OnnxOutputSlot(OnnxTensorNames.ValenceArousal, 0) : null,
            Arousal = va ? new OnnxOutputSlot(OnnxTensorNames.ValenceArousal, 1) : null,
            States = states.ToImmutable(),
            ModelInfo = info,
        };
    }

    /// <summary>
    /// A descriptor for a FER-2013-style classifier: one NCHW RGB image input of <paramref name="size"/> x
    /// <paramref name="size"/> scaled to [0, 1], one output of 7 logits in FER-2013 order
    /// (<see cref="EmotionLabels.Fer2013"/>). Adjust the names with <c>with { ... }</c>.
    /// </summary>
    /// <param name="inputName">The image input's name.</param>
    /// <param name="outputName">The logits output's name.</param>
    /// <param name="size">The square input size.</param>
    public static OnnxModelDescriptor Fer2013Classifier(string inputName, string outputName, int size = 224) => new()
    {
        InputName = inputName,
        Width = size,
        Height = size,
        Normalization = Normalization.ZeroToOne,
        CategoryOutput = outputName,
        CategoryOutputKind = CategoryOutputKind.Logits,
        Labels = [.. EmotionLabels.Fer2013],
    };

    /// <summary>Serialises to JSON (camelCase, enums as strings: <see cref="EmotionModelInfo.JsonOptions"/>), the format <see cref="FromJson"/> reads.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>
    /// Reads a descriptor from JSON, for example
    /// <c>{"inputName": "input", "width": 48, "height": 48, "colorOrder": "gray", "categoryOutput": "logits", "labels": ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]}</c>,
    /// and validates it.
    /// </summary>
    /// <exception cref="FormatException">The text is not JSON of a descriptor, or the descriptor is invalid (the message says why).</exception>
    public static OnnxModelDescriptor FromJson(string json)
        => EmotionJson.Deserialize<OnnxModelDescriptor>(json, "model descriptor", d => d.Validate());

    /// <summary>Checks that the values are consistent and returns this descriptor.</summary>
    /// <exception cref="ArgumentException">A value is missing, out of range or inconsistent; the message names it.</exception>
    public OnnxModelDescriptor Validate()
    {
        if (string.IsNullOrWhiteSpace(InputName)) throw new ArgumentException("The descriptor's InputName is empty; name the model's image input.", nameof(InputName));
        if (Width <= 0 || Height <= 0)
            throw new ArgumentException($"The descriptor's input size is {Width}x{Height}; expected a positive width and height.", nameof(Width));
        if (Normalization is null) throw new ArgumentException("The descriptor has no Normalization.", nameof(Normalization));
        try { Normalization.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentException($"The descriptor's normalization is invalid: {e.Message}", nameof(Normalization), e); }
        if (!Enum.IsDefined(ColorOrder))
            throw new ArgumentException($"The descriptor's ColorOrder {(int)ColorOrder} is not defined; use Rgb, Bgr or Gray.", nameof(ColorOrder));
        if (ColorOrder == ColorOrder.Gray && (Normalization.Mean.R != Normalization.Mean.G || Normalization.Mean.R != Normalization.Mean.B ||
                                              Normalization.Std.R != Normalization.Std.G || Normalization.Std.R != Normalization.Std.B))
            throw new ArgumentException(
                $"The descriptor's ColorOrder is Gray but its normalization differs between colours ({Normalization}); a one-channel model needs one mean and one std, the same for R, G and B.",
                nameof(Normalization));
        if (CategoryOutput is null && Valence is null && Arousal is null)
            throw new ArgumentException("The descriptor names no output: set CategoryOutput and/or Valence and Arousal.", nameof(CategoryOutput));
        if (CategoryOutput is not null)
        {
            if (Labels.IsDefaultOrEmpty)
                throw new ArgumentException($"The descriptor names the category output '{CategoryOutput}' but no Labels; list the label of each output index in order.", nameof(Labels));
            if (!Labels.Any(l => EmotionLabels.TryMap(l, out _, LabelAliases)))
                throw new ArgumentException(
                    $"None of the descriptor's labels ({string.Join(", ", Labels)}) maps to an emotion category; use names such as {string.Join(", ", EmotionCategories.Basic.Select(c => c.ToName()))} or set LabelAliases.",
                    nameof(Labels));
        }
        if ((Valence is null) != (Arousal is null))
            throw new ArgumentException("The descriptor sets only one of Valence and Arousal; set both or neither.", nameof(Valence));
        foreach (var slot in new[] { Valence, Arousal })
        {
            if (slot is { } s && (string.IsNullOrWhiteSpace(s.OutputName) || s.Index < 0))
                throw new ArgumentException($"The descriptor's valence/arousal slot '{s}' needs an output name and a non-negative index.", nameof(Valence));
        }
        foreach (var state in States.IsDefault ? [] : States)
        {
            if (string.IsNullOrWhiteSpace(state.InputName) || string.IsNullOrWhiteSpace(state.OutputName))
                throw new ArgumentException("A state binding of the descriptor has an empty input or output name.", nameof(States));
        }
        return this;
    }
}
