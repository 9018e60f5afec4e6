namespace Emotion.Core.Mapping;

/// <summary>Options of a <see cref="GaussianVaClassifier"/>.</summary>
public sealed record GaussianVaClassifierOptions
{
    /// <summary>How class priors are set (default <see cref="VaClassPriors.Empirical"/>).</summary>
    public VaClassPriors Priors { get; init; } = VaClassPriors.Empirical;

    /// <summary>Added to both variances of every class (ridge) so that a degenerate class still has an invertible covariance; default 1e-6.</summary>
    public double Regularization { get; init; } = 1e-6;

    /// <summary>Classes with fewer frames are left out of the classifier (their covariance is meaningless); default 2, the minimum.</summary>
    public int MinCount { get; init; } = 2;
}
