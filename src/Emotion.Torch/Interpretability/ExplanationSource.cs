namespace Emotion.Torch.Interpretability;

/// <summary>Which tensor an explanation method differentiates the target with respect to.</summary>
public enum ExplanationSource
{
    /// <summary>A convolutional layer's activations <c>[N, K, h, w]</c> (class activation maps: Grad-CAM, Grad-CAM++).</summary>
    Layer,
    /// <summary>The input frames <c>[N, 3, H, W]</c> (gradient saliency).</summary>
    Input,
}
