using Emotion.Core.Metrics;

namespace Emotion.Core.Mapping;

/// <summary>
/// How often a model's predicted category agrees with the category implied by its own predicted valence and arousal (read by a
/// <see cref="VaCategoryClassifier"/>): a model whose two heads are consistent has a high rate.
/// </summary>
/// <param name="Frames">Number of frames compared.</param>
/// <param name="Rate">Fraction of frames where the two categories agree.</param>
/// <param name="Matrix">Rows = the model's predicted category, columns = the category implied by its predicted VA.</param>
public sealed record VaAgreement(long Frames, double Rate, ConfusionMatrix Matrix)
{
    /// <summary>Compares per-frame predicted categories with the categories <paramref name="classifier"/> reads from the predicted VA.</summary>
    /// <exception cref="ArgumentException">Lengths differ, no frame is scored, or a scored VA value is not finite.</exception>
    public static VaAgreement Compute(VaCategoryClassifier classifier, ReadOnlySpan<int> predictedCategories,
        ReadOnlySpan<float> predictedValence, ReadOnlySpan<float> predictedArousal, ReadOnlySpan<bool> mask = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var matrix = classifier.Evaluate(predictedCategories, predictedValence, predictedArousal, mask);
        return new VaAgreement(matrix.Total, matrix.Accuracy(), matrix);
    }

    /// <summary>Compares the predictions of a combined model (frames without categories or VA are skipped).</summary>
    /// <exception cref="ArgumentException">No prediction has both a category and VA, or a value is not finite.</exception>
    public static VaAgreement Compute(VaCategoryClassifier classifier, IEnumerable<FramePrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(predictions);
        var categories = new List<int>();
        var valence = new List<float>();
        var arousal = new List<float>();
        foreach (var p in predictions)
        {
            if (p.Category is not { } c || p.Valence is not { } v || p.Arousal is not { } a) continue;
            categories.Add((int)c); valence.Add(v); arousal.Add(a);
        }
        return Compute(classifier,
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(categories),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(valence),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(arousal));
    }
}
