using Emotion.Core.Mapping;

namespace Emotion.Visualization.Reports;

/// <summary>Where one category sits on the VA plane, in a report's summary.</summary>
/// <param name="Category">The category's name.</param>
/// <param name="ClassIndex">The class index.</param>
/// <param name="Count">Number of frames.</param>
/// <param name="Centroid">Mean valence and arousal.</param>
/// <param name="Covariance">Sample covariance of valence and arousal.</param>
/// <param name="Reference">The reference position, or null when the reference has none for this category.</param>
/// <param name="DistanceToReference">Euclidean distance from the centroid to the reference position, or null.</param>
public sealed record CategorySummary(string Category, int ClassIndex, long Count, VaPoint Centroid, VaCovariance Covariance,
    VaPoint? Reference, double? DistanceToReference);
