namespace Emotion.Synthetic;

/// <summary>
/// The expression parameters of a synthetic face. Each is driven by one category (see <see cref="SyntheticFaces"/>):
/// </summary>
/// <param name="MouthCurvature">Mouth corners up (+1, happiness) or down (-1, sadness); 0 = straight.</param>
/// <param name="MouthOpening">Mouth open (surprise), 0..1.</param>
/// <param name="BrowFrown">Brows slanted in and down towards the nose (anger), 0..1.</param>
/// <param name="EyeWidening">Eyes wide open and brows raised (fear), 0..1.</param>
/// <param name="NoseWrinkle">Wrinkle lines across the nose and deepened nasolabial furrows (disgust), 0..1.</param>
public readonly record struct FaceParameters(float MouthCurvature, float MouthOpening, float BrowFrown, float EyeWidening, float NoseWrinkle)
{
    /// <summary>All zero: the neutral face.</summary>
    public static FaceParameters Neutral => default;

    /// <summary>Every parameter multiplied by <paramref name="intensity"/>.</summary>
    public FaceParameters Scale(float intensity) =>
        new(MouthCurvature * intensity, MouthOpening * intensity, BrowFrown * intensity, EyeWidening * intensity, NoseWrinkle * intensity);

    /// <summary>The sum of two parameter sets, clamped to the valid ranges.</summary>
    public FaceParameters Add(in FaceParameters other) => new(
        Math.Clamp(MouthCurvature + other.MouthCurvature, -1f, 1f),
        Math.Clamp(MouthOpening + other.MouthOpening, 0f, 1f),
        Math.Clamp(BrowFrown + other.BrowFrown, 0f, 1f),
        Math.Clamp(EyeWidening + other.EyeWidening, 0f, 1f),
        Math.Clamp(NoseWrinkle + other.NoseWrinkle, 0f, 1f));
}
