using Emotion.Core.Mapping;

namespace Emotion.Core.Tests.Mapping;

public class EllipseAndReferenceTests
{
    [Fact]
    public void AxisAlignedEllipse()
    {
        var e = ConfidenceEllipse.FromCovariance(new VaPoint(0.1, -0.2), new VaCovariance(4, 0, 1), 2);
        Assert.Equal(4, e.SemiMajor, 12);
        Assert.Equal(2, e.SemiMinor, 12);
        Assert.Equal(0, e.AngleRadians, 12);
        var vertical = ConfidenceEllipse.FromCovariance(default, new VaCovariance(1, 0, 9), 1);
        Assert.Equal(3, vertical.SemiMajor, 12);
        Assert.Equal(Math.PI / 2, Math.Abs(vertical.AngleRadians), 12);
    }

    [Fact]
    public void RotatedEllipseRecoversTheRotation()
    {
        // Sigma = R diag(9, 1) R^T with R a rotation by 30 degrees.
        double t = Math.PI / 6, c = Math.Cos(t), s = Math.Sin(t);
        var cov = new VaCovariance(9 * c * c + s * s, (9 - 1) * c * s, 9 * s * s + c * c);
        var e = ConfidenceEllipse.FromCovariance(new VaPoint(0.5, 0.5), cov, 1.5);
        Assert.Equal(4.5, e.SemiMajor, 10);
        Assert.Equal(1.5, e.SemiMinor, 10);
        Assert.Equal(t, e.AngleRadians, 10);
        foreach (var p in e.Points(36))
        {
            // Every drawn point has Mahalanobis distance k = 1.5 from the centre.
            double dv = p.Valence - 0.5, da = p.Arousal - 0.5, det = cov.Determinant;
            double m = (dv * dv * cov.ArousalVariance - 2 * dv * da * cov.Covariance + da * da * cov.ValenceVariance) / det;
            Assert.Equal(1.5 * 1.5, m, 9);
        }
    }

    [Fact]
    public void ConfidenceLevelCoversThatShareOfGaussianSamples()
    {
        Assert.Equal(2.4477468306808166, ConfidenceEllipse.StandardDeviationsFor(0.95), 12); // sqrt(chi2_2(0.95)) = sqrt(5.991465)
        var cov = new VaCovariance(0.04, 0.018, 0.0225);
        var e = ConfidenceEllipse.FromCovariance(new VaPoint(0.2, 0.1), cov, ConfidenceEllipse.StandardDeviationsFor(0.95));
        // Sample through the Cholesky factor of cov.
        double l11 = Math.Sqrt(cov.ValenceVariance), l21 = cov.Covariance / l11, l22 = Math.Sqrt(cov.ArousalVariance - l21 * l21);
        var rng = new Random(11);
        int inside = 0, n = 20000;
        for (int i = 0; i < n; i++)
        {
            double z1 = VaClassifierTests.Normal(rng), z2 = VaClassifierTests.Normal(rng);
            if (e.Contains(new VaPoint(0.2 + l11 * z1, 0.1 + l21 * z1 + l22 * z2))) inside++;
        }
        Assert.InRange(inside / (double)n, 0.94, 0.96);
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceEllipse.StandardDeviationsFor(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceEllipse.FromCovariance(default, new VaCovariance(-1, 0, 1)));
    }

    [Fact]
    public void ReferencePositionsAndComparison()
    {
        var r = CircumplexReference.RussellMehrabian1977;
        Assert.Equal(7, r.Positions.Length);
        Assert.Equal(Math.Atan2(0.51, 0.81) * 180 / Math.PI, r[EmotionCategory.Happiness]!.Position.AngleDegrees!.Value, 12);
        Assert.Null(r[EmotionCategory.Neutral]!.Position.AngleDegrees);
        Assert.Null(r[EmotionCategory.Other]);
        // Russell's circumplex quadrants: happiness positive valence; anger and fear negative valence, high arousal; sadness low arousal.
        Assert.True(r[EmotionCategory.Happiness]!.Position.Valence > 0);
        Assert.True(r[EmotionCategory.Fear]!.Position is { Valence: < 0, Arousal: > 0 });
        Assert.True(r[EmotionCategory.Sadness]!.Position is { Valence: < 0, Arousal: < 0 });

        // Sad frames centred at angle 200 degrees, radius 0.5; sad reference at atan2(-0.27, -0.63) = 203.2 degrees.
        double angle = 200 * Math.PI / 180;
        var mapping = CategoryVaMapping.Fit([5, 5, 0], [(float)(0.5 * Math.Cos(angle)), (float)(0.5 * Math.Cos(angle)), 0.1f],
            [(float)(0.5 * Math.Sin(angle)), (float)(0.5 * Math.Sin(angle)), 0f]);
        var comparison = r.Compare(mapping);
        Assert.Equal(2, comparison.Length);
        var sad = comparison.Single(x => x.Category == EmotionCategory.Sadness);
        Assert.Equal(200 - Math.Atan2(-0.27, -0.63) * 180 / Math.PI - 360, sad.AngleDifferenceDegrees!.Value, 4);
        Assert.Equal(new VaPoint(0.5 * Math.Cos(angle), 0.5 * Math.Sin(angle)).DistanceTo(new VaPoint(-0.63, -0.27)), sad.Distance, 6);
        Assert.Null(comparison.Single(x => x.Category == EmotionCategory.Neutral).AngleDifferenceDegrees);
        Assert.Equal(0.1, comparison.Single(x => x.Category == EmotionCategory.Neutral).Distance, 6);
    }

    [Fact]
    public void AnglesWrapAcrossZero()
    {
        Assert.Equal(350, new VaPoint(Math.Cos(-10 * Math.PI / 180), Math.Sin(-10 * Math.PI / 180)).AngleDegrees!.Value, 9);
        var reference = new CircumplexReference("test", "unit test", [new ReferencePosition(EmotionCategory.Happiness, new VaPoint(Math.Cos(0.1), Math.Sin(0.1)), "x")]);
        var mapping = CategoryVaMapping.Fit([4], [(float)Math.Cos(-0.1)], [(float)Math.Sin(-0.1)]);
        Assert.Equal(-0.2 * 180 / Math.PI, reference.Compare(mapping)[0].AngleDifferenceDegrees!.Value, 4);
    }
}
