using Emotion.Core;
using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>Valence (<see cref="Valence"/>) or arousal (<see cref="Arousal"/>): the model's bounded output in [-1, 1].</summary>
public sealed class ValenceArousalTarget : IExplanationTarget
{
    private readonly int _index;

    private ValenceArousalTarget(int index, string name)
    {
        _index = index;
        Name = name;
    }

    /// <summary>Predicted valence (explains what makes the model see the face as more positive).</summary>
    public static ValenceArousalTarget Valence { get; } = new(0, "valence");

    /// <summary>Predicted arousal (explains what makes the model see the face as more excited).</summary>
    public static ValenceArousalTarget Arousal { get; } = new(1, "arousal");

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public void Validate(EmotionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.Options.Task.HasValenceArousal())
            throw new ArgumentException($"Target '{Name}' needs valence/arousal outputs, but the model's task is '{model.Options.Task.ToName()}' (categories only); use a CategoryTarget.", nameof(model));
    }

    /// <inheritdoc />
    public Tensor Select(EmotionOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var va = output.ValenceArousal ?? throw new ArgumentException($"Target '{Name}' needs valence/arousal outputs, but the output has none.", nameof(output));
        return va.select(-1, _index);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
