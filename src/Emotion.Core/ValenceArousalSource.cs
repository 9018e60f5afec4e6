namespace Emotion.Core;

/// <summary>How a model produces valence and arousal.</summary>
public enum ValenceArousalSource
{
    /// <summary>A regression output trained on valence/arousal labels (a linear layer followed by tanh).</summary>
    Regressed,

    /// <summary>
    /// Estimated from the category probabilities as the expected position on the circumplex:
    /// <c>(v, a) = sum_c p_c * position_c</c>, with the positions of <see cref="Mapping.CircumplexReference.RussellMehrabian1977"/>.
    /// No valence/arousal label was involved: these values say where the predicted category mix lies on the circumplex,
    /// not a measured intensity (see docs/va-mapping.md).
    /// </summary>
    CategoryExpectation,
}
