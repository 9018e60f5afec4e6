using System.Collections.Immutable;

namespace Emotion.Core.Mapping;

/// <summary>
/// The ellipse of a 2-D Gaussian at a chosen number of standard deviations, for drawing a category's spread on the VA plane.
/// Its semi-axes are <c>k sqrt(lambda_1)</c> and <c>k sqrt(lambda_2)</c> along the covariance's eigenvectors, where lambda are the
/// eigenvalues (see <see cref="VaCovariance.Eigen"/>); <see cref="AngleRadians"/> is the direction of the major axis.
/// </summary>
/// <param name="Center">The centre (the mean).</param>
/// <param name="SemiMajor">Half the length of the major axis.</param>
/// <param name="SemiMinor">Half the length of the minor axis.</param>
/// <param name="AngleRadians">Angle of the major axis from the valence axis, counter-clockwise, in (-pi/2, pi/2].</param>
public sealed record ConfidenceEllipse(VaPoint Center, double SemiMajor, double SemiMinor, double AngleRadians)
{
    /// <summary>The ellipse at <paramref name="standardDeviations"/> (k) standard deviations of a covariance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not positive and finite, or the covariance has a negative or non-finite variance.</exception>
    public static ConfidenceEllipse FromCovariance(VaPoint center, VaCovariance covariance, double standardDeviations = 2.0)
    {
        if (!(standardDeviations > 0) || double.IsInfinity(standardDeviations))
            throw new ArgumentOutOfRangeException(nameof(standardDeviations), standardDeviations, "Expected a positive, finite number of standard deviations.");
        if (!(covariance.ValenceVariance >= 0) || !(covariance.ArousalVariance >= 0) || !double.IsFinite(covariance.Trace) || !double.IsFinite(covariance.Covariance))
            throw new ArgumentOutOfRangeException(nameof(covariance), covariance, "Expected non-negative, finite variances.");
        var (largest, smallest, angle) = covariance.Eigen();
        return new ConfidenceEllipse(center, standardDeviations * Math.Sqrt(largest), standardDeviations * Math.Sqrt(smallest), angle);
    }

    /// <summary>
    /// The number of standard deviations k whose ellipse holds probability <paramref name="confidence"/> of a 2-D Gaussian:
    /// k = sqrt(-2 ln(1 - p)) (the chi-square quantile with 2 degrees of freedom; 0.95 gives 2.4477).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The confidence is not in (0, 1).</exception>
    public static double StandardDeviationsFor(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Expected a probability in (0, 1).");
        return Math.Sqrt(-2.0 * Math.Log(1.0 - confidence));
    }

    /// <summary><paramref name="count"/> points evenly spaced in the ellipse's parameter, for drawing a closed polygon.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 3 points are asked for.</exception>
    public ImmutableArray<VaPoint> Points(int count = 100)
    {
        if (count < 3) throw new ArgumentOutOfRangeException(nameof(count), count, "Expected at least 3 points.");
        var points = ImmutableArray.CreateBuilder<VaPoint>(count);
        double cos = Math.Cos(AngleRadians), sin = Math.Sin(AngleRadians);
        for (int i = 0; i < count; i++)
        {
            double t = 2 * Math.PI * i / count;
            double x = SemiMajor * Math.Cos(t), y = SemiMinor * Math.Sin(t);
            points.Add(new VaPoint(Center.Valence + x * cos - y * sin, Center.Arousal + x * sin + y * cos));
        }
        return points.MoveToImmutable();
    }

    /// <summary>Whether a point lies inside or on the ellipse.</summary>
    public bool Contains(VaPoint point)
    {
        double dv = point.Valence - Center.Valence, da = point.Arousal - Center.Arousal;
        double cos = Math.Cos(AngleRadians), sin = Math.Sin(AngleRadians);
        double u = dv * cos + da * sin, w = -dv * sin + da * cos;
        if (SemiMinor == 0) return Math.Abs(w) < 1e-12 && Math.Abs(u) <= SemiMajor;
        return (u * u) / (SemiMajor * SemiMajor) + (w * w) / (SemiMinor * SemiMinor) <= 1.0;
    }
}
