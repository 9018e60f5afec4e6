using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al., 2018, "Grad-CAM++: Generalized Gradient-based Visual Explanations for Deep Convolutional
/// Networks", WACV), with the closed form of pytorch-grad-cam: with g = dY/dA,
/// <c>a_kij = g^2 / (2 g^2 + sum_ab A_k[a,b] g^3 + 1e-6)</c> (0 where g = 0), <c>w_k = sum_ij a_kij ReLU(g_kij)</c>,
/// map <c>ReLU(sum_k w_k A_k)</c>.
/// </summary>
public sealed class GradCamPlusPlus : IExplanationMethod
{
    /// <summary>The shared instance.</summary>
    public static GradCamPlusPlus Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "gradcam++";

    /// <inheritdoc />
    public ExplanationSource Source => ExplanationSource.Layer;

    /// <inheritdoc />
    public Tensor Compute(Tensor activations, Tensor gradients)
    {
        using var scope = NewDisposeScope();
        var g2 = gradients.square();
        var g3 = g2 * gradients;
        var sumActivations = activations.sum([2, 3], keepdim: true);
        var aij = g2 / (2 * g2 + sumActivations * g3 + 1e-6);
        aij = where(gradients.ne(0), aij, zeros_like(aij));
        var weights = (gradients.relu() * aij).sum([2, 3], keepdim: true);
        return (weights * activations).sum(1).relu().MoveToOuterDisposeScope();
    }
}
