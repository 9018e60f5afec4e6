using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// HiResCAM (Draelos &amp; Carin, 2020, "Use HiResCAM instead of Grad-CAM for faithful explanations of convolutional neural
/// networks", arXiv:2011.08891): the gradient multiplies the activations element by element instead of being averaged per
/// channel first, map <c>ReLU(sum_k dY/dA_k ⊙ A_k)</c>. For a head that ends in global average pooling and a linear
/// layer it shows exactly the locations that raised the score; Grad-CAM spreads a channel's weight over all of the
/// channel's activations, wherever they are.
/// </summary>
public sealed class HiResCam : IExplanationMethod
{
    /// <summary>The shared instance.</summary>
    public static HiResCam Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "hirescam";

    /// <inheritdoc />
    public ExplanationSource Source => ExplanationSource.Layer;

    /// <inheritdoc />
    public Tensor Compute(Tensor activations, Tensor gradients)
    {
        using var scope = NewDisposeScope();
        return (gradients * activations).sum(1).relu().MoveToOuterDisposeScope();
    }
}
