using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// An explanation method: turns activations and the target's gradients with respect to them into one raw map per frame.
/// The explainer (<see cref="EmotionExplainer"/>) does the rest (hooks, gradients through the recurrent head, upsampling,
/// normalisation), so a new method only implements <see cref="Compute"/>.
/// </summary>
public interface IExplanationMethod
{
    /// <summary>The method's name (for example <c>gradcam</c>).</summary>
    string Name { get; }

    /// <summary>Whether the method needs a layer's activations or the input.</summary>
    ExplanationSource Source { get; }

    /// <summary>Computes the raw maps.</summary>
    /// <param name="activations">The layer's activations <c>[N, K, h, w]</c>, or the input frames <c>[N, 3, H, W]</c> for <see cref="ExplanationSource.Input"/>.</param>
    /// <param name="gradients">The target's gradient with respect to <paramref name="activations"/>, same shape.</param>
    /// <returns>One map per frame, <c>[N, h, w]</c>, before upsampling and normalisation.</returns>
    Tensor Compute(Tensor activations, Tensor gradients);
}
