namespace Emotion.Torch.Losses;

/// <summary>The kinds of loss term a <see cref="LossSpec"/> can combine.</summary>
public enum LossKind
{
    /// <summary>Masked cross-entropy on the category logits (optionally class-weighted and label-smoothed).</summary>
    CrossEntropy,
    /// <summary>1 - CCC (concordance correlation coefficient) per valence/arousal dimension, averaged.</summary>
    Ccc,
    /// <summary>Masked mean squared error per valence/arousal dimension, averaged.</summary>
    Mse,
}
