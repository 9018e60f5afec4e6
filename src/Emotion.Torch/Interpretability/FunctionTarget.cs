using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// A user-defined target: any differentiable function of the model's output returning one scalar per frame, <c>[B, T']</c>
/// (for example the softmax probability of a category, or valence minus arousal).
/// </summary>
/// <param name="name">The target's name.</param>
/// <param name="select">The function; it must return a tensor of shape <c>[B, T']</c>.</param>
/// <param name="validate">Optional check of the model (throw <see cref="ArgumentException"/> when it cannot produce the target).</param>
public sealed class FunctionTarget(string name, Func<EmotionOutput, Tensor> select, Action<EmotionModel>? validate = null) : IExplanationTarget
{
    private readonly Func<EmotionOutput, Tensor> _select = select ?? throw new ArgumentNullException(nameof(select));

    /// <inheritdoc />
    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A target needs a name.", nameof(name)) : name;

    /// <inheritdoc />
    public void Validate(EmotionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        validate?.Invoke(model);
    }

    /// <inheritdoc />
    public Tensor Select(EmotionOutput output) => _select(output);

    /// <inheritdoc />
    public override string ToString() => Name;
}
