using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Emotion.Core;

/// <summary>
/// What a consumer of a trained model must know to feed it and read its outputs: the task, the category order, the frame
/// size and the normalisation. Checkpoints store it beside their weights and exported ONNX files carry it as metadata,
/// so that nobody re-states preprocessing by hand.
/// </summary>
public sealed record EmotionModelInfo
{
    /// <summary>What the model predicts.</summary>
    public required EmotionTask Task { get; init; }

    /// <summary>The categories in the order of the model's logits (empty for <see cref="EmotionTask.ValenceArousal"/>).</summary>
    public ImmutableArray<EmotionCategory> Categories { get; init; } = EmotionCategories.Basic;

    /// <summary>Side of the square RGB face crop the model takes, in pixels.</summary>
    public required int FrameSize { get; init; }

    /// <summary>The per-channel normalisation of pixels in [0, 1].</summary>
    public required Normalization Normalization { get; init; }

    /// <summary>The sequence length the model was trained on (it accepts any length at inference).</summary>
    public int SequenceLength { get; init; } = 1;

    /// <summary>
    /// How the model produces valence/arousal: <see cref="ValenceArousalSource.Regressed"/> (a trained output, the default)
    /// or <see cref="ValenceArousalSource.CategoryExpectation"/> (estimated from the category probabilities through the
    /// circumplex mapping, as the pretrained expression networks do).
    /// </summary>
    public ValenceArousalSource ValenceArousalSource { get; init; } = ValenceArousalSource.Regressed;

    /// <summary>
    /// Where the weights come from when they were not trained by this library: the pretrained catalogue name with its
    /// source and licence (for example <c>face-expression: npm @vladmandic/face-api@1.7.15 (MIT)</c>); null for trained models.
    /// </summary>
    public string? Origin { get; init; }

    /// <summary>The version of the library that produced the model.</summary>
    public string LibraryVersion { get; init; } = CurrentLibraryVersion;

    /// <summary>The version of this library.</summary>
    public static string CurrentLibraryVersion { get; } =
        typeof(EmotionModelInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>JSON options used for every file the library writes (camelCase, enums as strings, indented): <see cref="EmotionJson.Options"/>.</summary>
    public static JsonSerializerOptions JsonOptions => EmotionJson.Options;

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a valid model description.</exception>
    public static EmotionModelInfo FromJson(string json)
        => EmotionJson.Deserialize<EmotionModelInfo>(json, "model description", info => info.Validate());

    /// <summary>Checks that the values are consistent.</summary>
    /// <exception cref="FormatException">A value is out of range or inconsistent with the task.</exception>
    public EmotionModelInfo Validate()
    {
        if (FrameSize <= 0) throw new FormatException($"Model description has frame size {FrameSize}; expected a positive size.");
        if (SequenceLength <= 0) throw new FormatException($"Model description has sequence length {SequenceLength}; expected a positive length.");
        if (Normalization is null) throw new FormatException("Model description has no normalization.");
        if (Task.HasCategories() && (Categories.IsDefaultOrEmpty || Categories.Length < 2))
            throw new FormatException($"A {Task.ToName()} model needs its category list; found {(Categories.IsDefault ? 0 : Categories.Length)}.");
        try { Normalization.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new FormatException(e.Message, e); }
        if (ValenceArousalSource == ValenceArousalSource.CategoryExpectation && Task != EmotionTask.Combined)
            throw new FormatException($"Valence/arousal estimated from categories needs a combined model (categories and valence/arousal); this one is {Task.ToName()}.");
        return this;
    }
}
