using System.Collections.Immutable;

namespace Emotion.Core;

/// <summary>
/// A model's prediction for one frame: category probabilities (for categorical and combined models) and valence/arousal
/// (for valence-arousal and combined models).
/// </summary>
/// <param name="FrameNumber">The frame's number in its video (Aff-Wild2 frame numbers are 1-based) or its index in the input.</param>
/// <param name="Probabilities">Softmax probabilities in the order of <see cref="EmotionCategories.Basic"/> (or the model's category list), or empty when the model predicts no categories.</param>
/// <param name="Valence">Predicted valence in [-1, 1], or null when the model predicts no valence.</param>
/// <param name="Arousal">Predicted arousal in [-1, 1], or null when the model predicts no arousal.</param>
public sealed record FramePrediction(int FrameNumber, ImmutableArray<float> Probabilities, float? Valence, float? Arousal)
{
    /// <summary>The most probable category, or null when the model predicts no categories.</summary>
    public EmotionCategory? Category => Probabilities.IsDefaultOrEmpty ? null : (EmotionCategory)ArgMax(Probabilities.AsSpan());

    /// <summary>The probability of <see cref="Category"/>, or null when the model predicts no categories.</summary>
    public float? Confidence => Probabilities.IsDefaultOrEmpty ? null : Probabilities[ArgMax(Probabilities.AsSpan())];

    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("Expected at least one value.", nameof(values));
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
