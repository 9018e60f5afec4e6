namespace Emotion.Core.Mapping;

/// <summary>Class priors of a <see cref="GaussianVaClassifier"/>.</summary>
public enum VaClassPriors
{
    /// <summary>Each class's share of the frames (as scikit-learn's QuadraticDiscriminantAnalysis).</summary>
    Empirical,
    /// <summary>Equal priors, so that rare categories are not swamped by frequent ones.</summary>
    Uniform,
}
