using Emotion.Core;

namespace Emotion.Synthetic;

/// <summary>
/// The semantics of the synthetic faces: which facial parameter (and so which region of the face) determines each
/// category, and how valence and arousal follow from the parameters.
/// <list type="table">
/// <listheader><term>Category</term><description>Parameter at the apex (region)</description></listheader>
/// <item><term>Neutral</term><description>none (no region)</description></item>
/// <item><term>Anger</term><description><see cref="FaceParameters.BrowFrown"/> = 1: brows slanted down towards the nose (brows)</description></item>
/// <item><term>Disgust</term><description><see cref="FaceParameters.NoseWrinkle"/> = 1: wrinkle lines across the nose and deepened nasolabial furrows from the nose wings towards the mouth corners, as the nose wrinkler (FACS AU9) draws them (nose and furrows)</description></item>
/// <item><term>Fear</term><description><see cref="FaceParameters.EyeWidening"/> = 1: eyes wide open, brows raised (eyes and brows)</description></item>
/// <item><term>Happiness</term><description><see cref="FaceParameters.MouthCurvature"/> = +1: mouth corners up (mouth)</description></item>
/// <item><term>Sadness</term><description><see cref="FaceParameters.MouthCurvature"/> = -1: mouth corners down (mouth)</description></item>
/// <item><term>Surprise</term><description><see cref="FaceParameters.MouthOpening"/> = 1: mouth open (mouth)</description></item>
/// </list>
/// </summary>
public static class SyntheticFaces
{
    private static readonly NormalizedRegion Mouth = FaceGeometry.Region(-0.40f, 0.40f, 0.26f, 0.80f);
    private static readonly NormalizedRegion Brows = FaceGeometry.Region(-0.62f, 0.62f, -0.50f, -0.22f);
    private static readonly NormalizedRegion EyesAndBrows = FaceGeometry.Region(-0.62f, 0.62f, -0.53f, 0.04f);
    private static readonly NormalizedRegion Nose = FaceGeometry.Region(
        -FaceGeometry.FoldBottomX - 0.06f, FaceGeometry.FoldBottomX + 0.06f, FaceGeometry.WrinkleTop - 0.04f, FaceGeometry.FoldBottomY + 0.05f);

    /// <summary>
    /// The region of the frame that determines a category (normalised coordinates, x right, y down), covering every
    /// face placement the generator uses; null for Neutral (no feature) and Other (not generated).
    /// </summary>
    public static NormalizedRegion? RegionOf(EmotionCategory category) => category switch
    {
        EmotionCategory.Happiness or EmotionCategory.Sadness or EmotionCategory.Surprise => Mouth,
        EmotionCategory.Anger => Brows,
        EmotionCategory.Fear => EyesAndBrows,
        EmotionCategory.Disgust => Nose,
        EmotionCategory.Neutral or EmotionCategory.Other => null,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not an emotion category."),
    };

    /// <summary>The parameters of a category's full (apex) expression; Neutral is all zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Other or an undefined value.</exception>
    public static FaceParameters ApexParameters(EmotionCategory category) => category switch
    {
        EmotionCategory.Neutral => FaceParameters.Neutral,
        EmotionCategory.Anger => new FaceParameters(0f, 0f, 1f, 0f, 0f),
        EmotionCategory.Disgust => new FaceParameters(0f, 0f, 0f, 0f, 1f),
        EmotionCategory.Fear => new FaceParameters(0f, 0f, 0f, 1f, 0f),
        EmotionCategory.Happiness => new FaceParameters(1f, 0f, 0f, 0f, 0f),
        EmotionCategory.Sadness => new FaceParameters(-1f, 0f, 0f, 0f, 0f),
        EmotionCategory.Surprise => new FaceParameters(0f, 1f, 0f, 0f, 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "The synthetic faces have the seven basic categories only."),
    };

    /// <summary>
    /// Valence and arousal implied by the parameters (before label noise), a linear map placing each category's apex
    /// where Russell's circumplex puts it, clamped to [-1, 1]. With c⁺ = max(curvature, 0), c⁻ = max(-curvature, 0),
    /// o = opening, f = frown, w = eye widening, n = nose wrinkle:
    /// <c>V = 0.8c⁺ - 0.75c⁻ + 0.15o - 0.65f - 0.65w - 0.65n</c> and
    /// <c>A = 0.35c⁺ - 0.55c⁻ + 0.8o + 0.65f + 0.8w + 0.3n</c>.
    /// Apexes: happiness (0.8, 0.35), sadness (-0.75, -0.55), surprise (0.15, 0.8), anger (-0.65, 0.65),
    /// fear (-0.65, 0.8), disgust (-0.65, 0.3), neutral (0, 0).
    /// </summary>
    public static (float Valence, float Arousal) ValenceArousal(in FaceParameters p)
    {
        float cp = Math.Max(p.MouthCurvature, 0f), cn = Math.Max(-p.MouthCurvature, 0f);
        float v = 0.8f * cp - 0.75f * cn + 0.15f * p.MouthOpening - 0.65f * p.BrowFrown - 0.65f * p.EyeWidening - 0.65f * p.NoseWrinkle;
        float a = 0.35f * cp - 0.55f * cn + 0.8f * p.MouthOpening + 0.65f * p.BrowFrown + 0.8f * p.EyeWidening + 0.3f * p.NoseWrinkle;
        return (Math.Clamp(v, -1f, 1f), Math.Clamp(a, -1f, 1f));
    }
}
