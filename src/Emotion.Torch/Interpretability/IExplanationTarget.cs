using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// What an explanation explains: a scalar per frame read from the model's output (a category's logit, valence, arousal, or any
/// function of the outputs), as pytorch-grad-cam's targets. The gradient of this scalar drives every explanation method.
/// </summary>
public interface IExplanationTarget
{
    /// <summary>A short name for file names and captions (for example <c>happiness</c> or <c>valence</c>).</summary>
    string Name { get; }

    /// <summary>Checks that <paramref name="model"/> produces what the target reads, before any computation.</summary>
    /// <exception cref="ArgumentException">The model cannot produce the target (for example valence on a categorical model).</exception>
    void Validate(EmotionModel model);

    /// <summary>The target's value per output frame, <c>[B, T']</c>, differentiable with respect to the output.</summary>
    Tensor Select(EmotionOutput output);
}
