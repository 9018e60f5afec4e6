namespace Emotion.Torch.Interpretability;

/// <summary>Which score of a category a <see cref="CategoryTarget"/> explains.</summary>
public enum CategoryScore
{
    /// <summary>The category's logit <c>z_c</c>, before softmax: Grad-CAM's own choice (pytorch-grad-cam's ClassifierOutputTarget).</summary>
    Logit,

    /// <summary>
    /// The category's log-probability <c>log p_c = z_c - logsumexp(z)</c>. Evidence that raises every logit alike cancels,
    /// and evidence against the other categories counts for this one; on the synthetic faces it localises better than the
    /// logit with HiResCAM (docs/interpretability.md).
    /// </summary>
    LogProbability,
}
