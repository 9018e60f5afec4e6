using System.Collections.Immutable;

namespace Emotion.Core.Mapping;

/// <summary>
/// Reference positions of the categories on the valence-arousal plane (Russell's circumplex), for comparing the centroids a model
/// or a dataset produces with the psychology literature. Use <see cref="RussellMehrabian1977"/> or supply positions of your own.
/// </summary>
/// <param name="Name">Short name of the reference.</param>
/// <param name="Source">Full citation of where the numbers come from.</param>
/// <param name="Positions">One position per category (at most one each).</param>
public sealed record CircumplexReference(string Name, string Source, ImmutableArray<ReferencePosition> Positions)
{
    /// <summary>
    /// Pleasure and arousal ratings of emotion terms from Russell &amp; Mehrabian (1977), "Evidence for a three-factor theory of
    /// emotions", Journal of Research in Personality 11(3):273-294, on their -1..1 scale, as tabulated in the affective-computing
    /// literature (e.g. Gebhard, 2005, "ALMA: a layered model of affect", AAMAS): happy (0.81, 0.51), surprised (0.40, 0.67),
    /// angry (-0.51, 0.59), disgusted (-0.60, 0.35), afraid (-0.64, 0.60), sad (-0.63, -0.27). Neutral is placed at the origin,
    /// the centre of Russell's (1980) circumplex. Dominance is dropped. See docs/va-mapping.md for the caveats.
    /// </summary>
    public static CircumplexReference RussellMehrabian1977 { get; } = new(
        "russell-mehrabian-1977",
        "Russell, J. A. & Mehrabian, A. (1977). Evidence for a three-factor theory of emotions. Journal of Research in Personality, 11(3), 273-294 (pleasure and arousal of the terms named below, as tabulated by Gebhard, 2005, ALMA). Neutral: the origin of Russell's (1980) circumplex.",
        [
            new(EmotionCategory.Neutral, new VaPoint(0.00, 0.00), "neutral (origin)"),
            new(EmotionCategory.Anger, new VaPoint(-0.51, 0.59), "angry"),
            new(EmotionCategory.Disgust, new VaPoint(-0.60, 0.35), "disgusted"),
            new(EmotionCategory.Fear, new VaPoint(-0.64, 0.60), "afraid"),
            new(EmotionCategory.Happiness, new VaPoint(0.81, 0.51), "happy"),
            new(EmotionCategory.Sadness, new VaPoint(-0.63, -0.27), "sad"),
            new(EmotionCategory.Surprise, new VaPoint(0.40, 0.67), "surprised"),
        ]);

    /// <summary>The reference position of a category, or null when the reference has none.</summary>
    public ReferencePosition? this[EmotionCategory category]
    {
        get
        {
            foreach (var p in Positions) if (p.Category == category) return p;
            return null;
        }
    }

    /// <summary>
    /// The positions of <paramref name="categories"/> as a row-major <c>[C, 2]</c> matrix (valence, arousal per row), the
    /// matrix that turns category probabilities into their expected circumplex position (<c>p [C] x M [C, 2]</c>; see
    /// <see cref="ValenceArousalSource.CategoryExpectation"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A category has no position in this reference (for example <see cref="EmotionCategory.Other"/>).</exception>
    public float[] PositionMatrix(IReadOnlyList<EmotionCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var matrix = new float[categories.Count * 2];
        for (int c = 0; c < categories.Count; c++)
        {
            var position = this[categories[c]]
                ?? throw new ArgumentException($"The circumplex reference '{Name}' has no position for {categories[c].ToName()}; valence/arousal cannot be estimated from that category.", nameof(categories));
            matrix[2 * c] = (float)position.Position.Valence;
            matrix[2 * c + 1] = (float)position.Position.Arousal;
        }
        return matrix;
    }

    /// <summary>The expected circumplex position <c>sum_c p_c * position_c</c> of category probabilities in the order of <paramref name="categories"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ or a category has no position.</exception>
    public VaPoint Expectation(ReadOnlySpan<float> probabilities, IReadOnlyList<EmotionCategory> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        if (probabilities.Length != categories.Count)
            throw new ArgumentException($"Expected {categories.Count} probabilities (one per category), got {probabilities.Length}.", nameof(probabilities));
        var m = PositionMatrix(categories);
        double v = 0, a = 0;
        for (int c = 0; c < probabilities.Length; c++)
        {
            v += probabilities[c] * m[2 * c];
            a += probabilities[c] * m[2 * c + 1];
        }
        return new VaPoint(v, a);
    }

    /// <summary>
    /// Compares each measured centroid with its reference position: distance, and the signed angle difference on the circumplex.
    /// Categories missing from either side are left out.
    /// </summary>
    public ImmutableArray<CentroidComparison> Compare(CategoryVaMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var result = ImmutableArray.CreateBuilder<CentroidComparison>();
        foreach (var stats in mapping.Stats)
        {
            if (stats.Category is not { } category || this[category] is not { } reference) continue;
            double? difference = null;
            if (stats.Centroid.AngleDegrees is { } a && reference.Position.AngleDegrees is { } b)
            {
                double d = a - b;
                while (d <= -180) d += 360;
                while (d > 180) d -= 360;
                difference = d;
            }
            result.Add(new CentroidComparison(category, stats.Count, stats.Centroid, reference.Position,
                stats.Centroid.DistanceTo(reference.Position), difference));
        }
        return result.ToImmutable();
    }
}
