namespace Emotion.Core.Metrics;

/// <summary>Per-class scores read from a <see cref="ConfusionMatrix"/> (zero_division = 0, as scikit-learn's default).</summary>
/// <param name="ClassIndex">The class index (for emotion categories, <c>(int)EmotionCategory</c>).</param>
/// <param name="Precision">TP / (TP + FP); 0 when the class was never predicted.</param>
/// <param name="Recall">TP / (TP + FN); 0 when the class has no target frames.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN) (the harmonic mean of precision and recall); 0 when TP + FP + FN = 0.</param>
/// <param name="Support">Number of scored frames whose target is this class.</param>
public sealed record ClassScores(int ClassIndex, double Precision, double Recall, double F1, long Support);
