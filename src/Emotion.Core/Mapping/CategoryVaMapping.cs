using System.Collections.Immutable;
using Emotion.Core.Metrics;

namespace Emotion.Core.Mapping;

/// <summary>
/// The mapping from categories to the valence-arousal plane measured on a set of frames (labels or predictions): for each
/// category, its frame count, VA centroid and 2 x 2 covariance. This is the paper's interpretation tool (Kollias &amp; Zafeiriou,
/// 2019): if the categories occupy distinct regions of the VA plane, a network that learns VA has learned much of what separates
/// the categories. Classifiers built from it (<see cref="NearestCentroidClassifier"/>, <see cref="GaussianVaClassifier"/>)
/// measure how much.
/// </summary>
/// <remarks>Moments are accumulated in double precision with Welford's algorithm. Frames whose category is -1, whose mask is false,
/// or that lack a category or either VA value are skipped. Categories without frames are absent from <see cref="Stats"/>.</remarks>
public sealed class CategoryVaMapping
{
    private CategoryVaMapping(int classCount, ImmutableArray<CategoryVaStats> stats)
    {
        ClassCount = classCount;
        Stats = stats;
    }

    /// <summary>Number of classes the mapping was built for.</summary>
    public int ClassCount { get; }

    /// <summary>The statistics of every class with at least one frame, in class-index order.</summary>
    public ImmutableArray<CategoryVaStats> Stats { get; }

    /// <summary>Total number of frames used.</summary>
    public long TotalCount { get { long n = 0; foreach (var s in Stats) n += s.Count; return n; } }

    /// <summary>The statistics of a class, or null when it had no frames.</summary>
    public CategoryVaStats? this[int classIndex]
    {
        get
        {
            foreach (var s in Stats) if (s.ClassIndex == classIndex) return s;
            return null;
        }
    }

    /// <summary>The statistics of a category, or null when it had no frames.</summary>
    public CategoryVaStats? this[EmotionCategory category] => this[(int)category];

    /// <summary>Measures the mapping on parallel per-frame arrays.</summary>
    /// <param name="categories">Class index per frame, in [0, classCount), or -1 to skip the frame.</param>
    /// <param name="valence">Valence per frame.</param>
    /// <param name="arousal">Arousal per frame.</param>
    /// <param name="classCount">Number of classes (7 basic categories by default, 8 with Other).</param>
    /// <param name="mask">Optional: true where the frame is used (empty: every frame with a category).</param>
    /// <exception cref="ArgumentException">Lengths differ, or a used frame has a non-finite valence or arousal.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A used category is outside [0, classCount).</exception>
    public static CategoryVaMapping Fit(ReadOnlySpan<int> categories, ReadOnlySpan<float> valence, ReadOnlySpan<float> arousal,
        int classCount = EmotionCategories.BasicCount, ReadOnlySpan<bool> mask = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        MetricGuard.SameLength(categories.Length, nameof(categories), valence.Length, nameof(valence));
        MetricGuard.SameLength(categories.Length, nameof(categories), arousal.Length, nameof(arousal));
        MetricGuard.Mask(mask, categories.Length, nameof(categories));
        var moments = new BivariateMoments[classCount];
        for (int i = 0; i < categories.Length; i++)
        {
            if (!MetricGuard.IsScored(mask, i) || categories[i] == -1) continue;
            if ((uint)categories[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(categories), categories[i], $"categories[{i}] is {categories[i]}; expected a class index in [0, {classCount - 1}] or -1 to skip.");
            MetricGuard.Finite(valence[i], nameof(valence), i);
            MetricGuard.Finite(arousal[i], nameof(arousal), i);
            moments[categories[i]].Add(valence[i], arousal[i]);
        }
        return FromMoments(classCount, moments);
    }

    /// <summary>Measures the mapping on annotations: frames with a category and both valence and arousal are used.</summary>
    /// <param name="labels">The labels.</param>
    /// <param name="classCount">7 (frames labeled Other are skipped) or 8.</param>
    public static CategoryVaMapping FromLabels(IEnumerable<FrameLabel> labels, int classCount = EmotionCategories.BasicCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var moments = new BivariateMoments[classCount];
        foreach (var label in labels)
        {
            if (label.Category is not { } c || (int)c >= classCount || !label.HasValenceArousal) continue;
            moments[(int)c].Add(label.Valence!.Value, label.Arousal!.Value);
        }
        return FromMoments(classCount, moments);
    }

    /// <summary>Measures the mapping on a model's predictions: its most probable category against its predicted valence and arousal.</summary>
    /// <param name="predictions">Predictions of a combined model; frames without categories or VA are skipped.</param>
    /// <param name="classCount">Number of classes (the length of the probability vectors).</param>
    /// <exception cref="ArgumentException">A prediction has non-finite valence or arousal.</exception>
    public static CategoryVaMapping FromPredictions(IEnumerable<FramePrediction> predictions, int classCount = EmotionCategories.BasicCount)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var moments = new BivariateMoments[classCount];
        foreach (var p in predictions)
        {
            if (p.Category is not { } c || (int)c >= classCount || p.Valence is not { } v || p.Arousal is not { } a) continue;
            if (!float.IsFinite(v) || !float.IsFinite(a))
                throw new ArgumentException($"Frame {p.FrameNumber} has predicted valence {v} and arousal {a}; expected finite numbers.", nameof(predictions));
            moments[(int)c].Add(v, a);
        }
        return FromMoments(classCount, moments);
    }

    private static CategoryVaMapping FromMoments(int classCount, BivariateMoments[] moments)
    {
        var stats = ImmutableArray.CreateBuilder<CategoryVaStats>();
        for (int c = 0; c < classCount; c++)
        {
            var m = moments[c];
            if (m.Count == 0) continue;
            double d = m.Count > 1 ? m.Count - 1 : 1;
            var covariance = m.Count > 1 ? new VaCovariance(m.M2X / d, m.Cxy / d, m.M2Y / d) : default;
            stats.Add(new CategoryVaStats(c, m.Count, new VaPoint(m.MeanX, m.MeanY), covariance));
        }
        return new CategoryVaMapping(classCount, stats.ToImmutable());
    }
}
