namespace Emotion.Core.Mapping;

/// <summary>A measured category centroid next to the category's reference position.</summary>
/// <param name="Category">The category.</param>
/// <param name="Count">Frames behind the centroid.</param>
/// <param name="Centroid">The measured centroid.</param>
/// <param name="Reference">The reference position.</param>
/// <param name="Distance">Euclidean distance between the two.</param>
/// <param name="AngleDifferenceDegrees">Signed circumplex angle of the centroid minus that of the reference, wrapped to (-180, 180]; null when either is at the origin (the angle of Neutral is undefined).</param>
public sealed record CentroidComparison(EmotionCategory Category, long Count, VaPoint Centroid, VaPoint Reference, double Distance, double? AngleDifferenceDegrees);
