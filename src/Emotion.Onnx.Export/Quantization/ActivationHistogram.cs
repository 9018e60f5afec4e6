namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// A fixed-range histogram of one activation tensor over the calibration frames, from which the percentile and entropy
/// calibrations pick a range. <see cref="Signed"/> bins the values over [min, max] (percentile calibration);
/// <see cref="Absolute"/> bins |x| over [0, max|x|] (entropy calibration). The range comes from a first min-max pass,
/// so no value falls outside it (values beyond it are counted in the end bins).
/// </summary>
public sealed class ActivationHistogram
{
    private readonly long[] counts;
    private readonly double scale;

    private ActivationHistogram(double low, double high, int bins, bool absolute)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
            throw new ArgumentException($"A histogram needs a finite range with low <= high; got [{low}, {high}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Low = low;
        High = high;
        IsAbsolute = absolute;
        counts = new long[bins];
        scale = high > low ? bins / (high - low) : 0;
    }

    /// <summary>A histogram of the values themselves over [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static ActivationHistogram Signed(double min, double max, int bins) => new(min, max, bins, absolute: false);

    /// <summary>A histogram of |x| over [0, <paramref name="maxAbs"/>].</summary>
    public static ActivationHistogram Absolute(double maxAbs, int bins) => new(0, Math.Abs(maxAbs), bins, absolute: true);

    /// <summary>The lower edge of the first bin.</summary>
    public double Low { get; }

    /// <summary>The upper edge of the last bin.</summary>
    public double High { get; }

    /// <summary>Whether |x| is binned.</summary>
    public bool IsAbsolute { get; }

    /// <summary>The number of bins.</summary>
    public int Bins => counts.Length;

    /// <summary>The width of one bin.</summary>
    public double BinWidth => (High - Low) / counts.Length;

    /// <summary>The values counted so far.</summary>
    public long Count { get; private set; }

    /// <summary>The count of bin <paramref name="index"/>.</summary>
    public long this[int index] => counts[index];

    /// <summary>Counts <paramref name="values"/> (non-finite values are an error).</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public void Add(ReadOnlySpan<float> values)
    {
        int last = counts.Length - 1;
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"A calibration activation is {v}; the fp32 model produces non-finite values on the calibration frames.");
            double x = IsAbsolute ? Math.Abs(v) : v;
            int bin = (int)((x - Low) * scale);
            counts[bin < 0 ? 0 : bin > last ? last : bin]++;
        }
        Count += values.Length;
    }

    /// <summary>
    /// The range that keeps <paramref name="percentile"/> percent of the values on each side: the lower edge of the bin
    /// in which the cumulative count first exceeds (100 - p) % of all values, and the upper edge of the bin in which it
    /// first reaches p %. With p = 100 this is the range of the non-empty bins. For an absolute histogram the lower bound is 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The percentile is not in (0, 100].</exception>
    /// <exception cref="InvalidOperationException">Nothing was counted.</exception>
    public (double Min, double Max) PercentileRange(double percentile)
    {
        if (!(percentile > 0 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "Expected a percentile in (0, 100].");
        if (Count == 0) throw new InvalidOperationException("The histogram is empty.");
        if (High == Low) return (Low, High);
        double upperTarget = Count * (percentile / 100.0);
        double lowerTarget = Count * (1 - percentile / 100.0);
        long cumulative = 0;
        int lowBin = -1, highBin = counts.Length - 1;
        for (int i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            if (lowBin < 0 && cumulative > lowerTarget) lowBin = i;
            if (cumulative >= upperTarget - 1e-9) { highBin = i; break; }
        }
        double width = BinWidth;
        double min = IsAbsolute ? 0 : Low + Math.Max(lowBin, 0) * width;
        double max = Low + (highBin + 1) * width;
        return (min, Math.Min(max, High));
    }

    /// <summary>
    /// The entropy (KL-divergence) calibration threshold of an absolute histogram (Migacz, "8-bit Inference with
    /// TensorRT", GTC 2017; as in NVIDIA's pytorch-quantization histogram calibrator): for every candidate of i bins
    /// (i from 128 to <see cref="Bins"/>), the reference distribution P is the first i bins with the counts beyond them
    /// added to bin i - 1 (what clipping does); the candidate Q merges the first i bins into <paramref name="levels"/>
    /// quantization levels and spreads each level's count evenly over its non-empty bins. The threshold (i x bin width)
    /// of the smallest KL(P || Q) is returned, the largest on a tie. Bin 0 is given the count of bin 1 first: after a
    /// ReLU it holds the exact zeros, a spike that no threshold changes but that would otherwise dominate the divergence.
    /// </summary>
    /// <param name="levels">Quantization levels on the |x| side: 128 for a signed tensor, 256 for a non-negative one with 8 bits.</param>
    /// <exception cref="InvalidOperationException">The histogram is not absolute or is empty.</exception>
    public double EntropyThreshold(int levels)
    {
        if (!IsAbsolute) throw new InvalidOperationException("Entropy calibration needs an absolute histogram.");
        if (Count == 0) throw new InvalidOperationException("The histogram is empty.");
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        const int firstCandidate = 128;
        int n = counts.Length;
        if (n <= firstCandidate || High == 0) return High;
        var bins = new double[n];
        for (int k = 0; k < n; k++) bins[k] = counts[k];
        bins[0] = bins[1];
        var q = new double[n];
        double beyond = 0;
        for (int k = firstCandidate; k < n; k++) beyond += bins[k];
        double bestKl = double.PositiveInfinity;
        int best = n;
        for (int i = firstCandidate; i <= n; i++)
        {
            // Q: bin k of the first i belongs to level floor(k * levels / i); each level's count is spread over its non-empty bins.
            double qSum = 0;
            for (int k = 0; k < i;)
            {
                int level = (int)((long)k * levels / i);
                int end = k;
                double total = 0;
                int nonEmpty = 0;
                while (end < i && (int)((long)end * levels / i) == level)
                {
                    total += bins[end];
                    if (bins[end] != 0) nonEmpty++;
                    end++;
                }
                double share = nonEmpty > 0 ? total / nonEmpty : 0;
                for (; k < end; k++)
                {
                    q[k] = bins[k] != 0 ? share : 0;
                    qSum += q[k];
                }
            }
            // P: the first i bins, the outliers folded into the last one.
            double pSum = qSum + beyond;
            double kl = 0;
            if (pSum > 0 && qSum > 0)
            {
                for (int k = 0; k < i; k++)
                {
                    double pk = (bins[k] + (k == i - 1 ? beyond : 0)) / pSum;
                    if (pk == 0) continue;
                    // A bin P has and Q lacks (the clipped outliers in an empty last bin) gets a tiny probability instead of 0.
                    double qk = Math.Max(q[k] / qSum, 1e-12);
                    kl += pk * Math.Log(pk / qk);
                }
            }
            if (kl <= bestKl) { bestKl = kl; best = i; }
            if (i < n) beyond -= bins[i];
        }
        return Math.Min(High, best * BinWidth);
    }
}
