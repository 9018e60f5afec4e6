using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Onnx.Smoothing;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference.Smoothing;

public sealed class PredictionSmootherTests
{
    // Valence sequence 0.1, 0.2, 0.6, 0.4, 1.0 (arousal = -valence); the expected values below are worked out by hand.
    private static readonly float[] Valence = [0.1f, 0.2f, 0.6f, 0.4f, 1.0f];

    private static List<FramePrediction> Sequence() =>
        [.. Valence.Select((v, i) => new FramePrediction(i + 1, [], v, -v))];

    private static void AssertValence(double[] expected, IReadOnlyList<FramePrediction> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int t = 0; t < expected.Length; t++)
        {
            Assert.Equal(t + 1, actual[t].FrameNumber);
            Assert.Equal(expected[t], actual[t].Valence!.Value, 1e-6);
            Assert.Equal(-expected[t], actual[t].Arousal!.Value, 1e-6);
        }
    }

    [Fact]
    public void CausalMovingAverageUsesThePastWindow()
    {
        // w = 3: 0.1; (0.1+0.2)/2; (0.1+0.2+0.6)/3; (0.2+0.6+0.4)/3; (0.6+0.4+1.0)/3
        var result = PredictionSmoother.Smooth(Sequence(), new PredictionSmootherOptions { Window = 3 });
        AssertValence([0.1, 0.15, 0.3, 0.4, 2.0 / 3], result);
    }

    [Fact]
    public void CentredMovingAverageUsesBothSidesTruncatedAtTheEnds()
    {
        // w = 3: (0.1+0.2)/2; (0.1+0.2+0.6)/3; (0.2+0.6+0.4)/3; (0.6+0.4+1.0)/3; (0.4+1.0)/2
        var result = PredictionSmoother.Smooth(Sequence(), new PredictionSmootherOptions { Window = 3, Mode = SmoothingMode.Centered });
        AssertValence([0.15, 0.3, 0.4, 2.0 / 3, 0.7], result);
    }

    [Fact]
    public void MedianCausalAndCentred()
    {
        // causal w = 3: {0.1}; {0.1,0.2}; {0.1,0.2,0.6}; {0.2,0.6,0.4}; {0.6,0.4,1.0}
        var causal = PredictionSmoother.Smooth(Sequence(), new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3 });
        AssertValence([0.1, 0.15, 0.2, 0.4, 0.6], causal);
        // centred w = 3: {0.1,0.2}; {0.1,0.2,0.6}; {0.2,0.6,0.4}; {0.6,0.4,1.0}; {0.4,1.0}
        var centred = PredictionSmoother.Smooth(Sequence(),
            new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3, Mode = SmoothingMode.Centered });
        AssertValence([0.15, 0.2, 0.4, 0.6, 0.7], centred);
    }

    [Fact]
    public void ExponentialSmoothing()
    {
        // α = 0.5: s0 = 0.1; s1 = 0.15; s2 = 0.375; s3 = 0.3875; s4 = 0.69375
        var result = PredictionSmoother.Smooth(Sequence(), new PredictionSmootherOptions { Method = SmoothingMethod.Exponential, Alpha = 0.5f });
        AssertValence([0.1, 0.15, 0.375, 0.3875, 0.69375], result);
        // Default α = 2 / (w + 1) = 0.5 for w = 3.
        Assert.Equal(0.5f, new PredictionSmootherOptions { Method = SmoothingMethod.Exponential, Window = 3 }.EffectiveAlpha);
    }

    [Fact]
    public void ProbabilitiesAreAveragedAndMedianIsRenormalised()
    {
        FramePrediction P(int n, params float[] p) => new(n, ImmutableArray.Create(p), null, null);
        var frames = new[] { P(1, 0.6f, 0.3f, 0.1f), P(2, 0.2f, 0.5f, 0.3f), P(3, 0.1f, 0.1f, 0.8f) };
        var mean = PredictionSmoother.Smooth(frames, new PredictionSmootherOptions { Window = 3 });
        // frame 3: mean of the three = (0.3, 0.3, 0.4); frame 2: (0.4, 0.4, 0.2)
        Assert.Equal([0.4f, 0.4f, 0.2f], mean[1].Probabilities.Select(v => MathF.Round(v, 5)));
        Assert.Equal([0.3f, 0.3f, 0.4f], mean[2].Probabilities.Select(v => MathF.Round(v, 5)));
        Assert.Equal(EmotionCategory.Disgust, mean[2].Category);
        Assert.Null(mean[2].Valence);
        // frame 3 median per component: (0.2, 0.3, 0.3), sum 0.8 -> (0.25, 0.375, 0.375)
        var median = PredictionSmoother.Smooth(frames, new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3 });
        Assert.Equal([0.25f, 0.375f, 0.375f], median[2].Probabilities.Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void PushedStreamEqualsOfflineAndCentredModeLagsByHalfAWindow()
    {
        var options = new PredictionSmootherOptions { Window = 5, Mode = SmoothingMode.Centered };
        var random = new Random(3);
        var input = Enumerable.Range(1, 40).Select(i => new FramePrediction(i, [], (float)random.NextDouble(), null)).ToList();
        var offline = PredictionSmoother.Smooth(input, options);
        var smoother = new PredictionSmoother(options);
        Assert.Equal(2, smoother.Delay);
        var streamed = new List<FramePrediction>();
        for (int i = 0; i < input.Count; i++)
        {
            var ready = smoother.Push(input[i]);
            Assert.Equal(i >= 2, ready is not null);
            if (ready is not null)
            {
                Assert.Equal(i - 1, ready.FrameNumber); // frame t is ready once frame t + 2 arrived
                streamed.Add(ready);
            }
        }
        streamed.AddRange(smoother.Complete());
        Assert.Equal(offline.Select(p => (p.FrameNumber, p.Valence)), streamed.Select(p => (p.FrameNumber, p.Valence)));
        // Interior frames: the plain centred mean of five values.
        Assert.Equal(input.Skip(10).Take(5).Average(p => (double)p.Valence!.Value), offline[12].Valence!.Value, 1e-6);
    }

    [Fact]
    public async Task AsyncSmoothingEqualsSynchronous()
    {
        var options = new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3 };
        var input = Sequence();
        var expected = PredictionSmoother.Smooth(input, options);
        var actual = new List<FramePrediction>();
        await foreach (var p in new PredictionSmoother(options).SmoothAsync(input.ToAsyncEnumerable())) actual.Add(p);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(SmoothingMethod.MovingAverage, 0, SmoothingMode.Causal, "at least 1")]
    [InlineData(SmoothingMethod.MovingAverage, 4, SmoothingMode.Centered, "odd")]
    [InlineData(SmoothingMethod.Exponential, 3, SmoothingMode.Centered, "causal only")]
    public void InvalidOptionsAreExplained(SmoothingMethod method, int window, SmoothingMode mode, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new PredictionSmoother(new PredictionSmootherOptions { Method = method, Window = window, Mode = mode }));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void PredictorAppliesTheConfiguredSmoothingToSequences()
    {
        using var dir = new TempFolder("emotion-onnx-");
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        var smoothing = new PredictionSmootherOptions { Window = 3, Mode = SmoothingMode.Centered };
        using var raw = new EmotionPredictor(path, new EmotionPredictorOptions { IntraOpThreads = 1, MaxFramesPerRun = 4 });
        using var smoothed = new EmotionPredictor(path, raw.Options with { Smoothing = smoothing });
        var frames = Enumerable.Range(0, 10).Select(s => TinyModels.RandomImage(s + 900)).ToArray();
        try
        {
            var expected = PredictionSmoother.Smooth(raw.PredictSequence(frames), smoothing);
            var actual = smoothed.PredictSequence(frames);
            Assert.Equal(expected.Count, actual.Count);
            for (int t = 0; t < expected.Count; t++)
            {
                Assert.Equal(expected[t].FrameNumber, actual[t].FrameNumber);
                Assert.Equal(expected[t].Valence!.Value, actual[t].Valence!.Value, 1e-6);
                for (int k = 0; k < 7; k++) Assert.Equal(expected[t].Probabilities[k], actual[t].Probabilities[k], 1e-6);
            }
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }
}
