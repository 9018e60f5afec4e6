using Emotion.Testing;
using Emotion.Core.Metrics;

namespace Emotion.Core.Tests.Metrics;

public class RegressionMetricsTests
{
    [Fact]
    public void HandComputedSmallCase()
    {
        // p = [1, 2, 3], t = [2, 2, 4]: means 2 and 8/3; var_p = 2/3, var_t = 8/9, cov = 2/3.
        // CCC = (4/3) / (2/3 + 8/9 + 4/9) = 2/3; r = (2/3) / sqrt(16/27) = sqrt(3)/2; MSE = 2/3; MAE = 2/3.
        float[] p = [1, 2, 3], t = [2, 2, 4];
        var s = RegressionMetrics.Compute(p, t);
        Assert.Equal(3, s.Count);
        Assert.Equal(2.0 / 3, s.Ccc, 12);
        Assert.Equal(Math.Sqrt(3) / 2, s.Pearson, 12);
        Assert.Equal(2.0 / 3, s.Mse, 12);
        Assert.Equal(Math.Sqrt(2.0 / 3), s.Rmse, 12);
        Assert.Equal(2.0 / 3, s.Mae, 12);
        Assert.Equal(2.0 / 3, s.PredictionVariance, 12);
        Assert.Equal(8.0 / 9, s.TargetVariance, 12);
        Assert.Equal(2.0 / 3, s.Covariance, 12);
    }

    [Fact]
    public void PerfectAndNegatedAgreement()
    {
        float[] t = [-0.5f, 0.1f, 0.7f, 0.2f];
        Assert.Equal(1.0, RegressionMetrics.Ccc(t, t), 12);
        float[] negated = t.Select(x => -x).ToArray();
        // Pearson -1; CCC = -2 var / (2 var + (2 mean)^2) < -... here mean 0.125, var 0.1819 -> hand value.
        double mean = t.Average(x => (double)x), var = t.Average(x => (x - mean) * (x - mean));
        Assert.Equal(-1.0, RegressionMetrics.Pearson(negated, t), 12);
        Assert.Equal(-2 * var / (2 * var + 4 * mean * mean), RegressionMetrics.Ccc(negated, t), 12);
    }

    [Fact]
    public void MatchesNumpyAndScipyFixtures()
    {
        foreach (var c in Fixture.Cases("regression.json"))
        {
            var s = RegressionMetrics.Compute(c.Floats("predictions"), c.Floats("targets"), c.Bools("mask"));
            string name = c.GetProperty("name").GetString()!;
            Assert.Equal(c.Int("count"), s.Count);
            Assert.True(Math.Abs(c.Double("ccc") - s.Ccc) < 1e-9, $"{name}: CCC {s.Ccc} vs {c.Double("ccc")}");
            Assert.True(Math.Abs(c.Double("pearson") - s.Pearson) < 1e-9, $"{name}: r {s.Pearson} vs {c.Double("pearson")}");
            Assert.True(Math.Abs(c.Double("mse") - s.Mse) < 1e-9, name);
            Assert.True(Math.Abs(c.Double("rmse") - s.Rmse) < 1e-9, name);
            Assert.True(Math.Abs(c.Double("mae") - s.Mae) < 1e-9, name);
            Assert.True(Math.Abs(c.Double("meanPrediction") - s.MeanPrediction) < 1e-9, name);
            Assert.True(Math.Abs(c.Double("meanTarget") - s.MeanTarget) < 1e-9, name);
        }
    }

    [Fact]
    public void StreamingInBatchesAndMergingEqualsOnePass()
    {
        var c = Fixture.Cases("regression.json").First();
        float[] p = c.Floats("predictions"), t = c.Floats("targets");
        bool[] m = c.Bools("mask");
        var whole = RegressionMetrics.Compute(p, t, m);
        var a = new RegressionAccumulator();
        var b = new RegressionAccumulator();
        int half = p.Length / 3;
        a.Add(p.AsSpan(0, half), t.AsSpan(0, half), m.AsSpan(0, half));
        for (int i = half; i < p.Length; i++)
            if (m[i]) b.Add(p[i], t[i]);
        a.Merge(b);
        var merged = a.Compute();
        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Ccc, merged.Ccc, 12);
        Assert.Equal(whole.Pearson, merged.Pearson, 12);
        Assert.Equal(whole.Rmse, merged.Rmse, 12);
        a.Reset();
        Assert.Equal(0, a.Count);
    }

    [Fact]
    public void ConstantSeriesUseDocumentedDefinitions()
    {
        float[] c1 = [0.3f, 0.3f, 0.3f], c2 = [0.5f, 0.5f, 0.5f], v = [0.1f, 0.3f, 0.5f];
        Assert.Equal(1.0, RegressionMetrics.Ccc(c1, c1));           // both constant and equal
        Assert.Equal(0.0, RegressionMetrics.Ccc(c1, c2));           // both constant, different: 0 / (0.2^2)
        Assert.Equal(0.0, RegressionMetrics.Ccc(c1, v));            // one constant
        Assert.Equal(0.0, RegressionMetrics.Pearson(c1, v));        // zero variance -> 0
        Assert.Equal(0.0, RegressionMetrics.Pearson(c1, c1));
        var single = RegressionMetrics.Compute([0.2f], [0.2f]);
        Assert.Equal(1.0, single.Ccc);
        Assert.Equal(0.0, single.Rmse);
        Assert.False(double.IsNaN(RegressionMetrics.Compute([0.2f], [0.4f]).Ccc));
    }

    [Fact]
    public void RejectsBadInputWithClearMessages()
    {
        var empty = Assert.Throws<ArgumentException>(() => RegressionMetrics.Ccc([], []));
        Assert.Contains("no scored entries", empty.Message);
        var allMasked = Assert.Throws<ArgumentException>(() => RegressionMetrics.Ccc([1f, 2f], [1f, 2f], [false, false]));
        Assert.Contains("no scored entries", allMasked.Message);
        var nan = Assert.Throws<ArgumentException>(() => RegressionMetrics.Rmse([0f, float.NaN, 1f], [0f, 0f, 0f]));
        Assert.Contains("predictions[1]", nan.Message);
        var inf = Assert.Throws<ArgumentException>(() => RegressionMetrics.Rmse([0f, 0f], [0f, float.PositiveInfinity]));
        Assert.Contains("targets[1]", inf.Message);
        var length = Assert.Throws<ArgumentException>(() => RegressionMetrics.Mae([0f, 1f], [0f]));
        Assert.Contains("predictions", length.Message);
        Assert.Contains("targets", length.Message);
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Mae([0f, 1f], [0f, 1f], [true]));
        Assert.Throws<InvalidOperationException>(() => new RegressionAccumulator().Compute());
        // A NaN in a masked-out entry is never read.
        Assert.Equal(0.0, RegressionMetrics.Mae([1f, float.NaN], [1f, -5f], [true, false]));
    }

    [Fact]
    public void BadBatchLeavesAccumulatorUnchanged()
    {
        var acc = new RegressionAccumulator();
        acc.Add([0.1f, 0.2f], [0.1f, 0.3f]);
        Assert.Throws<ArgumentException>(() => acc.Add([0.1f, float.NaN], [0.1f, 0.3f]));
        Assert.Equal(2, acc.Count);
    }
}
