using System.Collections.Immutable;

namespace Emotion.Core.Mapping;

/// <summary>
/// Predicts the class whose centroid is nearest in Euclidean distance on the VA plane (ties go to the lower class index).
/// Centroids come from a measured <see cref="CategoryVaMapping"/> or from reference positions such as
/// <see cref="CircumplexReference.RussellMehrabian1977"/>.
/// </summary>
public sealed class NearestCentroidClassifier : VaCategoryClassifier
{
    private readonly int[] _classes;
    private readonly double[] _valence;
    private readonly double[] _arousal;

    /// <summary>Creates the classifier from explicit centroids.</summary>
    /// <param name="classCount">Number of classes K.</param>
    /// <param name="centroids">At least one (class index, centroid) pair; indices distinct and in [0, K).</param>
    /// <exception cref="ArgumentException">No centroid, a repeated or out-of-range class, or a non-finite coordinate.</exception>
    public NearestCentroidClassifier(int classCount, IEnumerable<KeyValuePair<int, VaPoint>> centroids) : base(classCount)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        var sorted = centroids.OrderBy(c => c.Key).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("Expected at least one centroid.", nameof(centroids));
        _classes = new int[sorted.Length];
        _valence = new double[sorted.Length];
        _arousal = new double[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            var (cls, point) = (sorted[i].Key, sorted[i].Value);
            if ((uint)cls >= (uint)classCount) throw new ArgumentException($"Centroid class {cls} is outside [0, {classCount - 1}].", nameof(centroids));
            if (i > 0 && sorted[i - 1].Key == cls) throw new ArgumentException($"Class {cls} has two centroids.", nameof(centroids));
            if (!double.IsFinite(point.Valence) || !double.IsFinite(point.Arousal)) throw new ArgumentException($"Centroid of class {cls} is not finite: {point}.", nameof(centroids));
            (_classes[i], _valence[i], _arousal[i]) = (cls, point.Valence, point.Arousal);
        }
        Centroids = sorted.ToImmutableDictionary();
    }

    /// <summary>The centroid of every class the classifier can predict.</summary>
    public ImmutableDictionary<int, VaPoint> Centroids { get; }

    /// <summary>Uses the centroids of every class present in a measured mapping.</summary>
    public static NearestCentroidClassifier FromMapping(CategoryVaMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        return new NearestCentroidClassifier(mapping.ClassCount, mapping.Stats.Select(s => KeyValuePair.Create(s.ClassIndex, s.Centroid)));
    }

    /// <summary>Uses reference positions (for example Russell and Mehrabian's), over <paramref name="classCount"/> classes.</summary>
    public static NearestCentroidClassifier FromReference(CircumplexReference reference, int classCount = EmotionCategories.BasicCount)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new NearestCentroidClassifier(classCount, reference.Positions
            .Where(p => (int)p.Category < classCount)
            .Select(p => KeyValuePair.Create((int)p.Category, p.Position)));
    }

    /// <inheritdoc />
    public override int Predict(double valence, double arousal)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int i = 0; i < _classes.Length; i++)
        {
            double dv = valence - _valence[i], da = arousal - _arousal[i];
            double d = dv * dv + da * da;
            if (d < bestDistance) { bestDistance = d; best = i; }
        }
        return _classes[best];
    }
}
