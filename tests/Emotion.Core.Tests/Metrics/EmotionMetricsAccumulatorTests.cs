using Emotion.Testing;
using System.Collections.Immutable;
using Emotion.Core.Data;
using Emotion.Core.Metrics;

namespace Emotion.Core.Tests.Metrics;

public class EmotionMetricsAccumulatorTests
{
    [Fact]
    public void SequenceBatchSkipsPaddingAndUnlabeledParts()
    {
        // B = 2, T = 3, K = 7. Frame (1, 2) is padding; (0, 1) has no category; (1, 0) has no VA.
        var batch = new SequenceBatch(2, 3, 1, 1);
        batch.SetLabel(0, 0, new FrameLabel(EmotionCategory.Happiness, 0.5f, 0.2f));
        batch.SetLabel(0, 1, new FrameLabel(null, -0.3f, 0.4f));
        batch.SetLabel(0, 2, new FrameLabel(EmotionCategory.Anger, -0.6f, 0.7f));
        batch.SetLabel(1, 0, new FrameLabel(EmotionCategory.Sadness));
        batch.SetLabel(1, 1, new FrameLabel(EmotionCategory.Neutral, 0.0f, -0.1f));
        for (int i = 0; i < 5; i++) batch.FrameMask[i] = true;
        batch.Categories[5] = 3; batch.ValenceMask[5] = true; batch.ArousalMask[5] = true; // padding with stale labels: must be ignored

        var scores = new float[6 * 7];
        void Predict(int frame, int category) => scores[frame * 7 + category] = 1f;
        Predict(0, 4); Predict(1, 0); Predict(2, 3); Predict(3, 5); Predict(4, 0); Predict(5, 3);
        float[] valence = [0.4f, -0.2f, -0.5f, 0.9f, 0.1f, float.NaN];
        float[] arousal = [0.1f, 0.5f, 0.6f, 0.9f, 0.0f, float.NaN];

        var acc = new EmotionMetricsAccumulator();
        acc.Add(batch, scores, valence, arousal);
        var report = acc.Compute();

        Assert.Equal(4, report.CategoryFrames);         // frames 0, 2, 3, 4
        Assert.Equal(0.75, report.Accuracy!.Value, 12); // anger predicted as fear
        Assert.Equal(4, report.ValenceFrames);          // frames 0, 1, 2, 4
        var expectedValence = RegressionMetrics.Compute([0.4f, -0.2f, -0.5f, 0.1f], [0.5f, -0.3f, -0.6f, 0.0f]);
        Assert.Equal(expectedValence, report.Valence);
        Assert.Equal(report.Valence!.Ccc, report.CccValence);
        Assert.Equal((report.CccValence!.Value + report.CccArousal!.Value) / 2, report.AbawVaScore!.Value, 12);
        Assert.Equal(report.MacroF1, report.AbawExpressionScore);
        Assert.Equal(0.67 * report.MacroF1!.Value + 0.33 * 0.75, report.AbawF1AccuracyExpressionScore!.Value, 12);
        Assert.Equal(1, report.ConfusionMatrix![1, 3]);
        Assert.Equal(7, report.PerClass.Length);
    }

    [Fact]
    public void MatchesScikitLearnWhenFedInBatches()
    {
        var c = Fixture.Cases("classification.json").First();
        int[] p = c.Ints("predicted"), t = c.Ints("targets");
        bool[] m = c.Bools("mask");
        var acc = new EmotionMetricsAccumulator();
        for (int start = 0; start < p.Length; start += 64)
        {
            int len = Math.Min(64, p.Length - start);
            acc.AddCategories(p.AsSpan(start, len), t.AsSpan(start, len), m.AsSpan(start, len));
        }
        var report = acc.Compute();
        Assert.Equal(c.Double("accuracy"), report.Accuracy!.Value, 12);
        Assert.Equal(c.Double("macroF1"), report.MacroF1!.Value, 12);
        Assert.Null(report.Valence);
        Assert.Null(report.AbawVaScore);
    }

    [Fact]
    public void FramePredictionsAndLabels()
    {
        var acc = new EmotionMetricsAccumulator();
        ImmutableArray<float> Probabilities(int c) { var a = new float[7]; a[c] = 0.9f; return [.. a]; }
        acc.Add(new FramePrediction(1, Probabilities(4), 0.5f, 0.3f), new FrameLabel(EmotionCategory.Happiness, 0.6f, 0.2f));
        acc.Add(new FramePrediction(2, Probabilities(6), 0.2f, 0.8f), new FrameLabel(EmotionCategory.Other, 0.3f, 0.7f)); // Other: not scored as category
        acc.Add(new FramePrediction(3, Probabilities(0), null, null), new FrameLabel(EmotionCategory.Neutral, 0.0f, 0.0f)); // no VA predicted
        acc.Add(new FramePrediction(4, [], 0.1f, 0.1f), FrameLabel.Unlabeled);
        Assert.Equal(2, acc.CategoryFrames);
        Assert.Equal(2, acc.ValenceFrames);
        Assert.Equal(2, acc.ArousalFrames);
        var report = acc.Compute();
        Assert.Equal(1.0, report.Accuracy);
        Assert.Equal(RegressionMetrics.Compute([0.5f, 0.2f], [0.6f, 0.3f]), report.Valence);
        Assert.Throws<ArgumentException>(() => acc.Add(new FramePrediction(5, [0.5f, 0.5f], null, null), new FrameLabel(EmotionCategory.Anger)));
    }

    [Fact]
    public void EmptyTasksAreNullAndJsonRoundTrips()
    {
        var acc = new EmotionMetricsAccumulator(8);
        acc.AddValence([0.1f, 0.4f, -0.2f], [0.2f, 0.3f, -0.1f]);
        var report = acc.Compute();
        Assert.Null(report.Accuracy);
        Assert.Null(report.ConfusionMatrix);
        Assert.Null(report.Arousal);
        Assert.Null(report.AbawVaScore);
        Assert.Equal(8, report.Categories.Length);

        acc.AddArousal([0.1f, 0.4f, -0.2f], [0.2f, 0.3f, -0.1f]);
        acc.AddCategories([0, 7, 3], [0, 7, 2]);
        var full = acc.Compute();
        string json = full.ToJson();
        Assert.DoesNotContain("NaN", json);
        Assert.Contains("\"abawVaScore\"", json);
        Assert.Contains("\"other\"", json);
        var back = EmotionMetricsReport.FromJson(json);
        Assert.Equal(full.ConfusionMatrix, back.ConfusionMatrix);
        Assert.Equal(full.Valence, back.Valence);
        Assert.Equal(full.MacroF1, back.MacroF1);
        Assert.Equal(full.PerClass.ToArray(), back.PerClass.ToArray());
        Assert.Equal(full.Categories.ToArray(), back.Categories.ToArray());
        Assert.Throws<FormatException>(() => EmotionMetricsReport.FromJson("{\"confusionMatrix\": {\"counts\": [[1, 2]]}}"));
    }

    [Fact]
    public void MergeAndResetAndValidation()
    {
        var a = new EmotionMetricsAccumulator();
        var b = new EmotionMetricsAccumulator();
        a.AddCategories([0, 1], [0, 1]);
        b.AddCategories([2, 2], [2, 3]);
        a.Merge(b);
        Assert.Equal(4, a.CategoryFrames);
        Assert.Equal(0.75, a.Compute().Accuracy);
        Assert.Throws<ArgumentException>(() => a.Merge(new EmotionMetricsAccumulator(8)));
        a.Reset();
        Assert.Equal(0, a.CategoryFrames);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionMetricsAccumulator(5));
        var batch = new SequenceBatch(1, 2, 1, 1);
        Assert.Throws<ArgumentException>(() => a.Add(batch, new float[7], [], []));
        Assert.Throws<ArgumentException>(() => a.Add(batch, [], [0.1f], []));
        // NaN in a scored row is rejected, in a padding row ignored.
        batch.FrameMask[0] = true; batch.Categories[0] = 1;
        var scores = new float[14]; scores[1] = 1f; scores[7] = float.NaN;
        a.Add(batch, scores, [], []);
        Assert.Equal(1, a.CategoryFrames);
        scores[0] = float.NaN;
        Assert.Throws<ArgumentException>(() => a.Add(batch, scores, [], []));
    }
}
