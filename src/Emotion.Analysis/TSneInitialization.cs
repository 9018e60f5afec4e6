namespace Emotion.Analysis;

/// <summary>How t-SNE places the points before optimising.</summary>
public enum TSneInitialization
{
    /// <summary>Independent Gaussian coordinates with standard deviation <see cref="TSneOptions.InitialStandardDeviation"/> (van der Maaten &amp; Hinton, 2008).</summary>
    Random,
    /// <summary>The first principal components, scaled so that the first coordinate has standard deviation <see cref="TSneOptions.InitialStandardDeviation"/> (as scikit-learn's <c>init="pca"</c>); keeps more global structure.</summary>
    Pca,
}
