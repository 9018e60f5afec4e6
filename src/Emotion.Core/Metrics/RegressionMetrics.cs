namespace Emotion.Core.Metrics;

/// <summary>
/// Metrics for continuous predictions such as valence and arousal, over the entries whose mask is true (every entry when the
/// mask is empty). Sums are accumulated in double precision.
/// </summary>
/// <remarks>
/// <para>With population moments over the n scored pairs (p = prediction, t = target):
/// mean_p, mean_t, var_p = (1/n) sum (p - mean_p)^2, var_t likewise, cov = (1/n) sum (p - mean_p)(t - mean_t).</para>
/// <list type="bullet">
/// <item><b>CCC</b> (Lin, 1989, "A concordance correlation coefficient to evaluate reproducibility", Biometrics 45(1):255-268):
/// <c>2 cov / (var_p + var_t + (mean_p - mean_t)^2)</c>, the population form used by AVEC and ABAW/Aff-Wild2.
/// The denominator is 0 only when both series are constant and equal; CCC is then defined as 1 (perfect agreement).
/// When exactly one series is constant the formula gives 0.</item>
/// <item><b>Pearson r</b>: <c>cov / sqrt(var_p var_t)</c>; defined as 0 when either series is constant (numpy/scipy return NaN).</item>
/// <item><b>MSE</b> <c>(1/n) sum (p - t)^2</c>, <b>RMSE</b> its square root, <b>MAE</b> <c>(1/n) sum |p - t|</c>.</item>
/// </list>
/// <para>Degenerate input: no scored entry throws <see cref="ArgumentException"/>; a NaN or infinity in a scored entry throws
/// <see cref="ArgumentException"/> naming the argument and index; unscored entries are never read, so they may hold anything
/// (for example Aff-Wild2's -5 marker). Different lengths throw <see cref="ArgumentException"/> naming both arguments.</para>
/// </remarks>
public static class RegressionMetrics
{
    /// <summary>All regression scores in one pass.</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static RegressionScores Compute(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default)
    {
        var accumulator = new RegressionAccumulator();
        accumulator.Add(predictions, targets, mask);
        MetricGuard.AnyScored(accumulator.Count, nameof(predictions));
        return accumulator.Compute();
    }

    /// <summary>Lin's concordance correlation coefficient (population form; 1 when both series are constant and equal).</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static double Ccc(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        Compute(predictions, targets, mask).Ccc;

    /// <summary>Pearson's correlation coefficient (0 when either series is constant).</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static double Pearson(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        Compute(predictions, targets, mask).Pearson;

    /// <summary>Root mean squared error.</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static double Rmse(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        Compute(predictions, targets, mask).Rmse;

    /// <summary>Mean squared error.</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static double Mse(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        Compute(predictions, targets, mask).Mse;

    /// <summary>Mean absolute error.</summary>
    /// <exception cref="ArgumentException">Lengths differ, nothing is scored, or a scored value is not finite.</exception>
    public static double Mae(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        Compute(predictions, targets, mask).Mae;

    /// <summary>CCC from population moments, with the documented value 1 when the denominator is 0.</summary>
    internal static double CccFromMoments(double varP, double varT, double cov, double meanDiff)
    {
        double denominator = varP + varT + meanDiff * meanDiff;
        if (denominator == 0) return 1.0;
        return Math.Clamp(2 * cov / denominator, -1.0, 1.0);
    }

    /// <summary>Pearson r from population moments, with the documented value 0 when a variance is 0.</summary>
    internal static double PearsonFromMoments(double varP, double varT, double cov)
    {
        if (varP <= 0 || varT <= 0) return 0.0;
        return Math.Clamp(cov / Math.Sqrt(varP * varT), -1.0, 1.0);
    }
}
