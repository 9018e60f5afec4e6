using Emotion.Core.Metrics;

namespace Emotion.Core.Mapping;

/// <summary>
/// A rule that predicts a category from a (valence, arousal) point. Subclasses implement <see cref="Predict(double, double)"/>;
/// batch prediction, evaluation against target categories and agreement with a model's own categories are shared here.
/// </summary>
public abstract class VaCategoryClassifier
{
    /// <summary>Creates a classifier over <paramref name="classCount"/> classes.</summary>
    protected VaCategoryClassifier(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
    }

    /// <summary>Number of classes K; predictions are in [0, K).</summary>
    public int ClassCount { get; }

    /// <summary>The predicted class index of one point.</summary>
    public abstract int Predict(double valence, double arousal);

    /// <summary>The predicted class index of one point.</summary>
    public int Predict(VaPoint point) => Predict(point.Valence, point.Arousal);

    /// <summary>Predicts every point.</summary>
    /// <exception cref="ArgumentException">Lengths differ or a value is not finite.</exception>
    public void Predict(ReadOnlySpan<float> valence, ReadOnlySpan<float> arousal, Span<int> destination)
    {
        MetricGuard.SameLength(valence.Length, nameof(valence), arousal.Length, nameof(arousal));
        MetricGuard.SameLength(valence.Length, nameof(valence), destination.Length, nameof(destination));
        for (int i = 0; i < valence.Length; i++)
        {
            MetricGuard.Finite(valence[i], nameof(valence), i);
            MetricGuard.Finite(arousal[i], nameof(arousal), i);
            destination[i] = Predict(valence[i], arousal[i]);
        }
    }

    /// <summary>
    /// Classifies the scored frames from their VA values and compares with their categories (targets -1 or masked out are
    /// skipped): rows = the given category, columns = the category the classifier reads from VA. Its accuracy and macro F1 say how
    /// well VA alone determines the category.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, no frame is scored, or a scored VA value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scored category is outside [0, K).</exception>
    public ConfusionMatrix Evaluate(ReadOnlySpan<int> categories, ReadOnlySpan<float> valence, ReadOnlySpan<float> arousal, ReadOnlySpan<bool> mask = default)
    {
        MetricGuard.SameLength(categories.Length, nameof(categories), valence.Length, nameof(valence));
        MetricGuard.SameLength(categories.Length, nameof(categories), arousal.Length, nameof(arousal));
        MetricGuard.Mask(mask, categories.Length, nameof(categories));
        var builder = new ConfusionMatrixBuilder(ClassCount);
        for (int i = 0; i < categories.Length; i++)
        {
            if (!MetricGuard.IsScored(mask, i) || categories[i] == -1) continue;
            if ((uint)categories[i] >= (uint)ClassCount)
                throw new ArgumentOutOfRangeException(nameof(categories), categories[i], $"categories[{i}] is {categories[i]}; expected a class index in [0, {ClassCount - 1}] or -1 to skip.");
            MetricGuard.Finite(valence[i], nameof(valence), i);
            MetricGuard.Finite(arousal[i], nameof(arousal), i);
            builder.Add(categories[i], Predict(valence[i], arousal[i]));
        }
        MetricGuard.AnyScored(builder.Total, nameof(categories));
        return builder.ToMatrix();
    }
}
