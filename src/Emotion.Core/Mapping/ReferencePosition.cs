namespace Emotion.Core.Mapping;

/// <summary>A category's reference position on the valence-arousal plane.</summary>
/// <param name="Category">The category.</param>
/// <param name="Position">Its valence and arousal in [-1, 1].</param>
/// <param name="Term">The word or stimulus the source rated for this category (for example "afraid" for Fear).</param>
public sealed record ReferencePosition(EmotionCategory Category, VaPoint Position, string Term);
