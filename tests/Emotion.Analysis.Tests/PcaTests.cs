using Emotion.Testing;
namespace Emotion.Analysis.Tests;

public class PcaTests
{
    [Fact]
    public void MatchesScikitLearnPca()
    {
        foreach (var c in Fixture.Cases("pca.json"))
        {
            string name = c.GetProperty("name").GetString()!;
            int n = c.Int("rows"), d = c.Int("columns"), k = c.Int("components");
            float[] data = c.Floats("data");
            var (pca, scores) = Pca.FitTransform(data, n, d, k);
            double[] mean = c.Doubles("mean"), axes = c.Doubles("axes"), variance = c.Doubles("explainedVariance"),
                ratio = c.Doubles("explainedVarianceRatio"), expectedScores = c.Doubles("scores");
            for (int j = 0; j < d; j++) Assert.Equal(mean[j], pca.Mean[j], 9);
            for (int i = 0; i < k; i++)
            {
                Assert.True(Math.Abs(variance[i] - pca.ExplainedVariance[i]) <= 1e-9 * variance[0], $"{name}: variance {i}");
                Assert.True(Math.Abs(ratio[i] - pca.ExplainedVarianceRatio[i]) <= 1e-9, $"{name}: ratio {i}");
                // Up to sign in general; our sign convention is scikit-learn's svd_flip, so the signs agree too.
                var axis = pca.Component(i);
                double dot = 0;
                for (int j = 0; j < d; j++) dot += axis[j] * axes[i * d + j];
                Assert.True(Math.Abs(Math.Abs(dot) - 1) < 1e-9, $"{name}: axis {i} |cos| = {Math.Abs(dot)}");
                Assert.True(dot > 0, $"{name}: axis {i} has the opposite sign");
                for (int r = 0; r < n; r++)
                    Assert.True(Math.Abs(expectedScores[r * k + i] - scores[r * k + i]) < 1e-4 * Math.Sqrt(variance[0]), $"{name}: score [{r}, {i}]");
            }
        }
    }

    [Fact]
    public void HandComputedLineAndOrthonormalAxes()
    {
        // Points on v = 2u: the only direction of variance is (1, 2)/sqrt(5), with variance 5 * var(u) = 5 * 2.5 for u = 1..4 (n - 1 = 3).
        float[] data = [1, 2, 2, 4, 3, 6, 4, 8];
        var pca = Pca.Fit(data, 4, 2, 2);
        Assert.Equal(5 * 5.0 / 3, pca.ExplainedVariance[0], 10);
        Assert.Equal(0, pca.ExplainedVariance[1], 10);
        Assert.Equal(1, pca.ExplainedVarianceRatio[0], 10);
        Assert.Equal(1 / Math.Sqrt(5), Math.Abs(pca.Component(0)[0]), 10);
        Assert.Equal(2 / Math.Sqrt(5), Math.Abs(pca.Component(0)[1]), 10);
        // Random symmetric problem: components orthonormal, variances descending.
        var rng = new Random(5);
        var x = new float[50 * 12];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * (1 + i % 12));
        var p = Pca.Fit(x, 50, 12, 12);
        for (int a = 0; a < 12; a++)
        {
            if (a > 0) Assert.True(p.ExplainedVariance[a] <= p.ExplainedVariance[a - 1]);
            for (int b = 0; b < 12; b++)
            {
                double dot = 0;
                for (int j = 0; j < 12; j++) dot += p.Component(a)[j] * p.Component(b)[j];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 9);
            }
        }
        double sum = 0;
        foreach (double r in p.ExplainedVarianceRatio) sum += r;
        Assert.Equal(1.0, sum, 9);
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Pca.Fit(new float[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(new float[6], 2, 3, 3));
        Assert.Throws<ArgumentException>(() => Pca.Fit(new float[3], 1, 3, 1));
        Assert.Contains("row 1, column 0", Assert.Throws<ArgumentException>(() => Pca.Fit([0, 0, float.NaN, 0], 2, 2, 1)).Message);
        var pca = Pca.Fit([0, 0, 1, 1, 2, 0], 3, 2, 1);
        Assert.Throws<ArgumentException>(() => pca.Transform(new float[3], 1));
    }
}
