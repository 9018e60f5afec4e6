namespace Emotion.Core.Metrics;

/// <summary>
/// Streaming accumulator for <see cref="RegressionScores"/>: feed (prediction, target) pairs in any number of batches, then
/// call <see cref="Compute"/>. It keeps only running moments in double precision (count, means, centred sums of squares and
/// cross products, squared and absolute error sums), so memory is constant however many frames are scored; CCC, Pearson r,
/// RMSE, MSE and MAE all follow from them.
/// </summary>
public sealed class RegressionAccumulator
{
    private BivariateMoments _moments;
    private double _sumSquaredError;
    private double _sumAbsoluteError;

    /// <summary>Number of scored pairs so far.</summary>
    public long Count => _moments.Count;

    /// <summary>Adds one scored pair.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public void Add(double prediction, double target)
    {
        MetricGuard.Finite(prediction, nameof(prediction));
        MetricGuard.Finite(target, nameof(target));
        AddUnchecked(prediction, target);
    }

    /// <summary>Adds the pairs whose mask entry is true (every pair when <paramref name="mask"/> is empty).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or a scored value is NaN or infinite (the message names the index).</exception>
    public void Add(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default)
    {
        MetricGuard.SameLength(predictions.Length, nameof(predictions), targets.Length, nameof(targets));
        MetricGuard.Mask(mask, predictions.Length, nameof(predictions));
        // Validate first so that a bad batch leaves the accumulator unchanged.
        for (int i = 0; i < predictions.Length; i++)
        {
            if (!MetricGuard.IsScored(mask, i)) continue;
            MetricGuard.Finite(predictions[i], nameof(predictions), i);
            MetricGuard.Finite(targets[i], nameof(targets), i);
        }
        for (int i = 0; i < predictions.Length; i++)
            if (MetricGuard.IsScored(mask, i)) AddUnchecked(predictions[i], targets[i]);
    }

    /// <summary>Adds everything another accumulator has seen (for example one per thread or per video).</summary>
    public void Merge(RegressionAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _moments.Merge(other._moments);
        _sumSquaredError += other._sumSquaredError;
        _sumAbsoluteError += other._sumAbsoluteError;
    }

    /// <summary>Forgets every pair.</summary>
    public void Reset()
    {
        _moments = default;
        _sumSquaredError = 0;
        _sumAbsoluteError = 0;
    }

    /// <summary>Computes the scores of the pairs seen so far.</summary>
    /// <exception cref="InvalidOperationException">No pair has been added (the scores are undefined).</exception>
    public RegressionScores Compute()
    {
        long n = _moments.Count;
        if (n == 0)
            throw new InvalidOperationException("No scored pairs were added; regression metrics are undefined for an empty series.");
        double varP = _moments.M2X / n;
        double varT = _moments.M2Y / n;
        double cov = _moments.Cxy / n;
        double meanDiff = _moments.MeanX - _moments.MeanY;
        double mse = _sumSquaredError / n;
        return new RegressionScores(
            Count: n,
            Ccc: RegressionMetrics.CccFromMoments(varP, varT, cov, meanDiff),
            Pearson: RegressionMetrics.PearsonFromMoments(varP, varT, cov),
            Rmse: Math.Sqrt(mse),
            Mse: mse,
            Mae: _sumAbsoluteError / n,
            MeanPrediction: _moments.MeanX,
            MeanTarget: _moments.MeanY,
            PredictionVariance: varP,
            TargetVariance: varT,
            Covariance: cov);
    }

    private void AddUnchecked(double prediction, double target)
    {
        _moments.Add(prediction, target);
        double e = prediction - target;
        _sumSquaredError += e * e;
        _sumAbsoluteError += Math.Abs(e);
    }
}
