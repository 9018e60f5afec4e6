namespace Emotion.Core.Mapping;

/// <summary>Where one category's frames sit on the valence-arousal plane.</summary>
/// <param name="ClassIndex">The class index (<c>(int)EmotionCategory</c> for emotion categories).</param>
/// <param name="Count">Number of frames of the category (positive).</param>
/// <param name="Centroid">Mean valence and arousal.</param>
/// <param name="Covariance">Sample covariance (divided by Count - 1, as <c>numpy.cov</c>); all zero when Count is 1.</param>
public sealed record CategoryVaStats(int ClassIndex, long Count, VaPoint Centroid, VaCovariance Covariance)
{
    /// <summary>The emotion category of <see cref="ClassIndex"/>, or null when the index is not a category.</summary>
    public EmotionCategory? Category => Enum.IsDefined((EmotionCategory)ClassIndex) ? (EmotionCategory)ClassIndex : null;

    /// <summary>The confidence ellipse of the category at <paramref name="standardDeviations"/> standard deviations.</summary>
    public ConfidenceEllipse Ellipse(double standardDeviations = 2.0) => ConfidenceEllipse.FromCovariance(Centroid, Covariance, standardDeviations);
}
