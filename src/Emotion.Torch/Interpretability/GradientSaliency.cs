using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Plain gradient saliency (Simonyan, Vedaldi &amp; Zisserman, 2014, "Deep Inside Convolutional Networks: Visualising Image
/// Classification Models and Saliency Maps", ICLR workshop): <c>max_c |dY/dx_c[i,j]|</c> over the colour channels, at the input's
/// resolution.
/// </summary>
public sealed class GradientSaliency : IExplanationMethod
{
    /// <summary>The shared instance.</summary>
    public static GradientSaliency Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "saliency";

    /// <inheritdoc />
    public ExplanationSource Source => ExplanationSource.Input;

    /// <inheritdoc />
    public Tensor Compute(Tensor activations, Tensor gradients)
    {
        using var scope = NewDisposeScope();
        return gradients.abs().amax([1]).MoveToOuterDisposeScope();
    }
}
