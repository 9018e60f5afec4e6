using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017, "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization", ICCV):
/// channel weights <c>alpha_k = mean_ij dY/dA_k[i,j]</c>, map <c>ReLU(sum_k alpha_k A_k)</c>.
/// </summary>
public sealed class GradCam : IExplanationMethod
{
    /// <summary>The shared instance.</summary>
    public static GradCam Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "gradcam";

    /// <inheritdoc />
    public ExplanationSource Source => ExplanationSource.Layer;

    /// <inheritdoc />
    public Tensor Compute(Tensor activations, Tensor gradients)
    {
        using var scope = NewDisposeScope();
        var weights = gradients.mean([2, 3], keepdim: true);
        return (weights * activations).sum(1).relu().MoveToOuterDisposeScope();
    }
}
