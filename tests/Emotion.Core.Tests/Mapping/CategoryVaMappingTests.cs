using Emotion.Testing;
using Emotion.Core.Mapping;

namespace Emotion.Core.Tests.Mapping;

public class CategoryVaMappingTests
{
    internal static (int[] Categories, float[] Valence, float[] Arousal) FixtureData()
    {
        var f = Fixture.Load("mapping.json");
        return (f.Ints("categories"), f.Floats("valence"), f.Floats("arousal"));
    }

    [Fact]
    public void CentroidsAndCovariancesMatchNumpy()
    {
        var (c, v, a) = FixtureData();
        var mapping = CategoryVaMapping.Fit(c, v, a);
        var expected = Fixture.Load("mapping.json").GetProperty("stats").EnumerateArray().ToArray();
        Assert.Equal(7, mapping.Stats.Length);
        foreach (var e in expected)
        {
            var s = mapping[e.Int("classIndex")]!;
            Assert.Equal(e.Int("count"), s.Count);
            Assert.Equal(e.Double("valence"), s.Centroid.Valence, 10);
            Assert.Equal(e.Double("arousal"), s.Centroid.Arousal, 10);
            double[] cov = e.Doubles("covariance");
            Assert.Equal(cov[0], s.Covariance.ValenceVariance, 10);
            Assert.Equal(cov[1], s.Covariance.Covariance, 10);
            Assert.Equal(cov[2], s.Covariance.ArousalVariance, 10);
        }
        Assert.Equal(expected.Sum(e => e.Int("count")), mapping.TotalCount);
    }

    [Fact]
    public void LabelsAndPredictionsGiveTheSameMappingAsArrays()
    {
        var (c, v, a) = FixtureData();
        var labels = new List<FrameLabel>();
        var predictions = new List<FramePrediction>();
        for (int i = 0; i < c.Length; i++)
        {
            labels.Add(new FrameLabel(c[i] >= 0 ? (EmotionCategory)c[i] : null, v[i], a[i]));
            if (c[i] < 0) continue;
            var p = new float[7]; p[c[i]] = 1f;
            predictions.Add(new FramePrediction(i, [.. p], v[i], a[i]));
        }
        labels.Add(new FrameLabel(EmotionCategory.Other, 0.9f, 0.9f)); // skipped by a 7-class mapping
        labels.Add(new FrameLabel(EmotionCategory.Anger));               // no VA: skipped
        var fromArrays = CategoryVaMapping.Fit(c, v, a);
        var fromLabels = CategoryVaMapping.FromLabels(labels);
        var fromPredictions = CategoryVaMapping.FromPredictions(predictions);
        Assert.Equal(fromArrays.Stats.ToArray(), fromLabels.Stats.ToArray());
        Assert.Equal(fromArrays.Stats.ToArray(), fromPredictions.Stats.ToArray());
        Assert.Equal(8, CategoryVaMapping.FromLabels(labels, 8).Stats.Length);
    }

    [Fact]
    public void HandComputedSmallCaseAndEdgeCases()
    {
        // Class 1: (0,0), (2,2) -> centroid (1,1), sample covariance [[2,2],[2,2]]; class 3: a single frame -> zero covariance.
        var m = CategoryVaMapping.Fit([1, 1, 3, -1], [0f, 2f, 0.5f, float.NaN], [0f, 2f, -0.5f, float.NaN]);
        Assert.Equal(2, m.Stats.Length);
        Assert.Equal(new VaPoint(1, 1), m[1]!.Centroid);
        Assert.Equal(new VaCovariance(2, 2, 2), m[1]!.Covariance);
        Assert.Equal(default, m[EmotionCategory.Fear]!.Covariance);
        Assert.Null(m[EmotionCategory.Neutral]);
        Assert.Equal(EmotionCategory.Anger, m[1]!.Category);
        Assert.Contains("valence[1]", Assert.Throws<ArgumentException>(() => CategoryVaMapping.Fit([0, 0], [0f, float.NaN], [0f, 0f])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CategoryVaMapping.Fit([9], [0f], [0f]));
        Assert.Throws<ArgumentException>(() => CategoryVaMapping.Fit([0, 1], [0f], [0f, 0f]));
    }
}
