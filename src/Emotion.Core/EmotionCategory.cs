namespace Emotion.Core;

/// <summary>
/// The basic expression categories, numbered as in the Aff-Wild2 EXPR_Set annotations
/// (Kollias &amp; Zafeiriou, 2019): 0 Neutral, 1 Anger, 2 Disgust, 3 Fear, 4 Happiness, 5 Sadness, 6 Surprise, 7 Other.
/// </summary>
/// <remarks>
/// Models predict the first seven (<see cref="EmotionCategories.Basic"/>). <see cref="Other"/> exists in Aff-Wild2's
/// annotations and is masked out of 7-class training unless a caller opts into the 8-class set
/// (<see cref="EmotionCategories.WithOther"/>).
/// </remarks>
public enum EmotionCategory
{
    /// <summary>No expression.</summary>
    Neutral = 0,
    /// <summary>Anger.</summary>
    Anger = 1,
    /// <summary>Disgust.</summary>
    Disgust = 2,
    /// <summary>Fear.</summary>
    Fear = 3,
    /// <summary>Happiness.</summary>
    Happiness = 4,
    /// <summary>Sadness.</summary>
    Sadness = 5,
    /// <summary>Surprise.</summary>
    Surprise = 6,
    /// <summary>An expression outside the seven basic ones (Aff-Wild2 label 7).</summary>
    Other = 7,
}
