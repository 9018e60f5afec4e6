namespace Emotion.Core.Metrics;

/// <summary>
/// Streaming first and second moments of paired values (x, y) in double precision: count, means, sums of squared
/// deviations and the co-moment, updated with Welford's algorithm and merged with Chan et al.'s pairwise formula, so that
/// variances and covariances stay accurate for long series with a large mean (plain sums of squares would cancel).
/// </summary>
/// <remarks>Welford (1962), "Note on a method for calculating corrected sums of squares and products", Technometrics 4(3);
/// Chan, Golub &amp; LeVeque (1979), "Updating formulae and a pairwise algorithm for computing sample variances".</remarks>
internal struct BivariateMoments
{
    /// <summary>Number of pairs added.</summary>
    public long Count;
    /// <summary>Mean of x.</summary>
    public double MeanX;
    /// <summary>Mean of y.</summary>
    public double MeanY;
    /// <summary>Sum of (x - mean x)^2.</summary>
    public double M2X;
    /// <summary>Sum of (y - mean y)^2.</summary>
    public double M2Y;
    /// <summary>Sum of (x - mean x)(y - mean y).</summary>
    public double Cxy;

    /// <summary>Adds one pair.</summary>
    public void Add(double x, double y)
    {
        Count++;
        double dx = x - MeanX;
        MeanX += dx / Count;
        double dy = y - MeanY;
        MeanY += dy / Count;
        M2X += dx * (x - MeanX);
        M2Y += dy * (y - MeanY);
        Cxy += dx * (y - MeanY);
    }

    /// <summary>Adds the pairs summarised by <paramref name="other"/>.</summary>
    public void Merge(in BivariateMoments other)
    {
        if (other.Count == 0) return;
        if (Count == 0) { this = other; return; }
        double n1 = Count, n2 = other.Count, n = n1 + n2;
        double dx = other.MeanX - MeanX, dy = other.MeanY - MeanY;
        M2X += other.M2X + dx * dx * n1 * n2 / n;
        M2Y += other.M2Y + dy * dy * n1 * n2 / n;
        Cxy += other.Cxy + dx * dy * n1 * n2 / n;
        MeanX += dx * n2 / n;
        MeanY += dy * n2 / n;
        Count += other.Count;
    }
}
