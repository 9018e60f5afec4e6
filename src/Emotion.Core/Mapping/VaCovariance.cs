namespace Emotion.Core.Mapping;

/// <summary>A symmetric 2 x 2 covariance matrix of (valence, arousal): [[Vv, Va], [Va, Aa]].</summary>
/// <param name="ValenceVariance">Variance of valence (Vv).</param>
/// <param name="Covariance">Covariance of valence and arousal (Va).</param>
/// <param name="ArousalVariance">Variance of arousal (Aa).</param>
public readonly record struct VaCovariance(double ValenceVariance, double Covariance, double ArousalVariance)
{
    /// <summary>Vv Aa - Va^2.</summary>
    public double Determinant => ValenceVariance * ArousalVariance - Covariance * Covariance;

    /// <summary>Trace, Vv + Aa (the total variance).</summary>
    public double Trace => ValenceVariance + ArousalVariance;

    /// <summary>
    /// The eigenvalues (largest first) and the angle of the first eigenvector from the valence axis in radians, in (-pi/2, pi/2]:
    /// lambda = (Vv + Aa)/2 ± sqrt(((Vv - Aa)/2)^2 + Va^2), theta = atan2(2 Va, Vv - Aa) / 2.
    /// </summary>
    public (double Largest, double Smallest, double AngleRadians) Eigen()
    {
        double half = (ValenceVariance + ArousalVariance) / 2;
        double diff = (ValenceVariance - ArousalVariance) / 2;
        double r = Math.Sqrt(diff * diff + Covariance * Covariance);
        double angle = 0.5 * Math.Atan2(2 * Covariance, ValenceVariance - ArousalVariance);
        return (half + r, Math.Max(half - r, 0.0), angle);
    }

    /// <summary>The matrix with <paramref name="epsilon"/> added to both variances (ridge regularisation).</summary>
    public VaCovariance Regularized(double epsilon) => this with { ValenceVariance = ValenceVariance + epsilon, ArousalVariance = ArousalVariance + epsilon };
}
