namespace Emotion.Torch.Training;

/// <summary>The optimizers the <see cref="Trainer"/> can use (TorchSharp's implementations of PyTorch's).</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba, 2015) with L2 weight decay added to the gradient.</summary>
    Adam,
    /// <summary>AdamW (Loshchilov &amp; Hutter, 2019): Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent, optionally with (Nesterov) momentum.</summary>
    Sgd,
}
