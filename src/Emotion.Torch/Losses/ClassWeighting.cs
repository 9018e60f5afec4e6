namespace Emotion.Torch.Losses;

/// <summary>How a cross-entropy term weights the categories.</summary>
public enum ClassWeighting
{
    /// <summary>Every category weighs 1.</summary>
    None,
    /// <summary>Weights given explicitly in <see cref="LossTerm.ClassWeights"/>.</summary>
    Explicit,
    /// <summary>
    /// Weights computed from the training labels' frequencies as scikit-learn's <c>class_weight='balanced'</c>:
    /// <c>w_c = N / (C * n_c)</c> (see <see cref="ClassWeights.Balanced(ReadOnlySpan{long})"/>).
    /// </summary>
    Balanced,
}
