using Emotion.Testing;
using System.Text.Json;
using Emotion.Core.Metrics;

namespace Emotion.Core.Tests.Metrics;

public class ClassificationMetricsTests
{
    [Fact]
    public void HandComputedThreeClassCase()
    {
        // targets   0 0 1 1 1 2 (-1 skipped)
        // predicted 0 1 1 1 0 1  x
        int[] t = [0, 0, 1, 1, 1, 2, -1], p = [0, 1, 1, 1, 0, 1, 2];
        var m = ClassificationMetrics.ConfusionMatrix(p, t, 3);
        Assert.Equal(6, m.Total);
        Assert.Equal(1, m[0, 0]); Assert.Equal(1, m[0, 1]); Assert.Equal(1, m[1, 0]); Assert.Equal(2, m[1, 1]); Assert.Equal(1, m[2, 1]);
        Assert.Equal(0.5, m.Accuracy(), 12);
        // class 0: TP 1, FP 1, FN 1 -> P = R = F1 = 0.5; class 1: TP 2, FP 2, FN 1 -> P 0.5, R 2/3, F1 4/7; class 2: 0.
        Assert.Equal(0.5, m.Precision(0), 12);
        Assert.Equal(0.5, m.F1(0), 12);
        Assert.Equal(0.5, m.Precision(1), 12);
        Assert.Equal(2.0 / 3, m.Recall(1), 12);
        Assert.Equal(4.0 / 7, m.F1(1), 12);
        Assert.Equal(0.0, m.Precision(2)); // never predicted: zero_division = 0
        Assert.Equal(0.0, m.F1(2));
        Assert.Equal((0.5 + 4.0 / 7) / 3, m.MacroF1(), 12);
        Assert.Equal(1, m.Support(2));
        Assert.Equal(4, m.PredictedCount(1));
    }

    [Fact]
    public void MatchesScikitLearnFixtures()
    {
        foreach (var c in Fixture.Cases("classification.json"))
        {
            string name = c.GetProperty("name").GetString()!;
            int k = c.Int("classCount");
            var m = ClassificationMetrics.ConfusionMatrix(c.Ints("predicted"), c.Ints("targets"), k, c.Bools("mask"));
            Assert.Equal(c.Int("count"), m.Total);
            var expected = c.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToArray();
            for (int r = 0; r < k; r++)
                for (int col = 0; col < k; col++)
                    Assert.Equal(expected[r][col], m[r, col]);
            Assert.Equal(c.Double("accuracy"), m.Accuracy(), 12);
            double[] precision = c.Doubles("precision"), recall = c.Doubles("recall"), f1 = c.Doubles("f1");
            var perClass = m.PerClass();
            for (int i = 0; i < k; i++)
            {
                Assert.Equal(precision[i], perClass[i].Precision, 12);
                Assert.Equal(recall[i], perClass[i].Recall, 12);
                Assert.Equal(f1[i], perClass[i].F1, 12);
            }
            Assert.True(Math.Abs(c.Double("macroF1") - m.MacroF1()) < 1e-12, name);
            Assert.True(Math.Abs(c.Double("macroF1PresentClasses") - m.MacroF1(presentClassesOnly: true)) < 1e-12, name);
        }
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([0, 1], [0], 2));
        Assert.Contains("no scored entries", Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([0, 1], [-1, -1], 2)).Message);
        var target = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Accuracy([0, 1], [0, 7], 7));
        Assert.Contains("targets[1]", target.Message);
        var predicted = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Accuracy([0, -1], [0, 1], 7));
        Assert.Contains("predicted[1]", predicted.Message);
        Assert.Throws<InvalidOperationException>(() => new ConfusionMatrixBuilder(3).ToMatrix().Accuracy());
        // A masked-out frame with a bad index is not read.
        Assert.Equal(1.0, ClassificationMetrics.Accuracy([0, 99], [0, 1], 2, [true, false]));
    }

    [Fact]
    public void ArgMaxRowsTakesFirstMaximum()
    {
        float[] scores = [0.1f, 0.7f, 0.2f, /**/ 0.4f, 0.4f, 0.2f];
        var dst = new int[2];
        ClassificationMetrics.ArgMaxRows(scores, 3, dst);
        Assert.Equal([1, 0], dst);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.ArgMaxRows(scores, 4, dst));
    }

    [Fact]
    public void ConfusionMatrixJsonRoundTripAndValidation()
    {
        var m = ConfusionMatrix.From([0, 1, 1, 2], [0, 1, 2, 2], 3);
        string json = JsonSerializer.Serialize(m, EmotionModelInfo.JsonOptions);
        Assert.Contains("\"counts\"", json);
        var back = JsonSerializer.Deserialize<ConfusionMatrix>(json, EmotionModelInfo.JsonOptions)!;
        Assert.Equal(m, back);
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix([[1, 2], [3]]));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix([[1, -2], [3, 4]]));
        Assert.Equal([0L, 1L, 1L], m.Counts[2].ToArray());
    }

    [Fact]
    public void AbawScoresFollowTheirDefinitions()
    {
        Assert.Equal(0.45, AbawScores.ValenceArousal(0.5, 0.4), 12);
        var m = ConfusionMatrix.From([0, 1, 1, 0], [0, 1, 0, 0], 2);
        // accuracy 0.75; F1_0 = 2*2/(2*2+0+1) = 0.8, F1_1 = 2/(2+1+0) = 2/3.
        Assert.Equal((0.8 + 2.0 / 3) / 2, AbawScores.Expression(m), 12);
        Assert.Equal(0.67 * (0.8 + 2.0 / 3) / 2 + 0.33 * 0.75, AbawScores.F1AccuracyExpression(m), 12);
        Assert.Throws<ArgumentException>(() => AbawScores.ValenceArousal(double.NaN, 0.1));
        Assert.Throws<ArgumentException>(() => AbawScores.F1AccuracyExpression(1.2, 0.5));
    }
}
