using System.Runtime.CompilerServices;
using Emotion.Core;
using Emotion.Onnx.Smoothing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference;

public sealed class EmotionStreamTests : IDisposable
{
    private static readonly EmotionPredictorOptions OneThread = new() { IntraOpThreads = 1 };
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    // The cumulative model's valence after frame t: tanh(V[0] * Σ_(u ≤ t) mean_u + c_0), with mean_u over all normalised pixels.
    private static double[] ExpectedValence(IReadOnlyList<Image<Rgb24>> frames)
    {
        var result = new double[frames.Count];
        double sum = 0;
        for (int t = 0; t < frames.Count; t++)
        {
            sum += TinyModels.ChannelMeans(frames[t], Normalization.ImageNet).Average();
            result[t] = Math.Tanh(sum * TinyModels.V[0] + TinyModels.VaBias[0]);
        }
        return result;
    }

    private static Image<Rgb24>[] Frames(int count, int seed = 0) =>
        [.. Enumerable.Range(seed, count).Select(s => TinyModels.RandomImage(s))];

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(30)]
    public void ChunkedStreamingCarriesTheStateAndEqualsTheWholeSequence(int chunk)
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        Assert.True(predictor.IsStateful);
        var frames = Frames(17);
        try
        {
            // Whole sequence in one run (the reference) vs the stream in chunks.
            var single = new EmotionPredictor(path, OneThread with { MaxFramesPerRun = 1000 });
            var reference = single.PredictSequence(frames);
            single.Dispose();
            using var stream = predictor.OpenStream(chunk);
            Assert.True(stream.CarriesState);
            var streamed = new List<FramePrediction>();
            foreach (var frame in frames)
            {
                var ready = stream.Push(frame);
                Assert.Equal(stream.FrameCount % chunk == 0 ? chunk : 0, ready.Count);
                streamed.AddRange(ready);
            }
            Assert.Equal(17, stream.FrameCount);
            streamed.AddRange(stream.Complete());
            var expected = ExpectedValence(frames);
            Assert.Equal(frames.Length, streamed.Count);
            for (int t = 0; t < frames.Length; t++)
            {
                Assert.Equal(t + 1, streamed[t].FrameNumber);
                Assert.Equal(expected[t], streamed[t].Valence!.Value, 1e-4);
                Assert.Equal(reference[t].Valence!.Value, streamed[t].Valence!.Value, 1e-5);
                for (int k = 0; k < 7; k++) Assert.Equal(reference[t].Probabilities[k], streamed[t].Probabilities[k], 1e-5);
            }
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    [Fact]
    public async Task AsyncStreamEqualsTheSynchronousPathAndDisposedFramesAreNotNeeded()
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        using var predictor = new EmotionPredictor(path, OneThread with { StreamChunkSize = 5 });
        var frames = Frames(12, seed: 40);
        var expected = ExpectedValence(frames);
        foreach (var f in frames) f.Dispose();

        // The producer disposes each frame as soon as the consumer asks for the next one, as a decoder would.
        var results = new List<FramePrediction>();
        await foreach (var p in predictor.PredictStreamAsync(Produce(12, 40)))
            results.Add(p);
        Assert.Equal(12, results.Count);
        for (int t = 0; t < 12; t++) Assert.Equal(expected[t], results[t].Valence!.Value, 1e-4);

        var sync = predictor.PredictStream(ProduceSync(12, 40)).ToList();
        for (int t = 0; t < 12; t++) Assert.Equal(results[t].Valence, sync[t].Valence);
    }

    [Fact]
    public void ResetStartsANewVideoFromAZeroState()
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        var frames = Frames(3, seed: 7);
        try
        {
            using var stream = predictor.OpenStream(2);
            var first = stream.Process(frames).ToList();
            var second = stream.Process(frames).ToList(); // Complete() reset the state and the numbering
            Assert.Equal(first.Select(p => (p.FrameNumber, p.Valence)), second.Select(p => (p.FrameNumber, p.Valence)));
            stream.Push(frames[0]);
            stream.Reset();
            Assert.Equal(0, stream.FrameCount);
            Assert.Equal(first.Select(p => p.Valence), stream.Process(frames).Select(p => p.Valence));
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    private static readonly int[] GapNumbers = [1, 2, 3, 4, 5, 9, 10, 11, 12];

    private static float[] Values(FramePrediction p) => [.. p.Probabilities, p.Valence!.Value, p.Arousal!.Value];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(30)]
    public void AGapInTheFrameNumbersStartsANewSequenceExactlyAsANewStreamDoes(int chunk)
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        var frames = Frames(GapNumbers.Length, seed: 90);
        try
        {
            using var stream = predictor.OpenStream(chunk);
            var streamed = new List<FramePrediction>();
            for (int i = 0; i < frames.Length; i++)
            {
                streamed.AddRange(stream.Push(frames[i], GapNumbers[i]));
                // At the gap, the frames still pending before it come out at once.
                if (GapNumbers[i] == 9) Assert.Contains(streamed, p => p.FrameNumber == 5);
            }
            Assert.Equal(1, stream.GapCount);
            streamed.AddRange(stream.Complete());
            Assert.Equal(GapNumbers, streamed.Select(p => p.FrameNumber));

            // By hand: the cumulative state starts again from zero at frame 9.
            var expected = ExpectedValence(frames[..5]).Concat(ExpectedValence(frames[5..])).ToArray();
            for (int t = 0; t < frames.Length; t++) Assert.Equal(expected[t], streamed[t].Valence!.Value, 1e-4);

            // And every value equals two separate streams over 1..5 and 9..12.
            var separate = stream.Process(frames[..5]).Concat(stream.Process(frames[5..])).ToList();
            for (int t = 0; t < frames.Length; t++) Assert.Equal(Values(separate[t]), Values(streamed[t]));

            // The control: without the numbers the stream carries its state across, and frame 9 differs.
            var carried = stream.Process(frames).ToList();
            Assert.True(Math.Abs(carried[5].Valence!.Value - streamed[5].Valence!.Value) > 1e-3);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    [Fact]
    public void SmoothingNeverReachesAcrossAGap()
    {
        string path = dir.File("cumulative.onnx");
        TinyModels.SaveCumulative(path);
        var smoothing = new PredictionSmootherOptions { Method = SmoothingMethod.MovingAverage, Mode = SmoothingMode.Centered, Window = 3 };
        using var predictor = new EmotionPredictor(path, OneThread with { Smoothing = smoothing });
        var frames = Frames(GapNumbers.Length, seed: 95);
        try
        {
            using var stream = predictor.OpenStream(2);
            var streamed = new List<FramePrediction>();
            for (int i = 0; i < frames.Length; i++) streamed.AddRange(stream.Push(frames[i], GapNumbers[i]));
            streamed.AddRange(stream.Complete());
            Assert.Equal(GapNumbers, streamed.Select(p => p.FrameNumber));
            var separate = stream.Process(frames[..5]).Concat(stream.Process(frames[5..])).ToList();
            for (int t = 0; t < frames.Length; t++) Assert.Equal(Values(separate[t]), Values(streamed[t]));
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    [Fact]
    public void StatelessModelChunksAreIndependentAndEqualPerFramePredictions()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        var frames = Frames(9, seed: 60);
        try
        {
            using var stream = predictor.OpenStream(4);
            Assert.False(stream.CarriesState);
            var streamed = stream.Process(frames).ToList();
            var images = predictor.PredictImages(frames);
            for (int t = 0; t < frames.Length; t++)
                for (int k = 0; k < 7; k++) Assert.Equal(images[t].Probabilities[k], streamed[t].Probabilities[k], 1e-6);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    [Fact]
    public void SequenceToOneModelPredictsEveryFrameFromTheVideoSoFar()
    {
        string path = dir.File("cumulative_last.onnx");
        TinyModels.SaveCumulative(path, sequenceOutput: true);
        using var predictor = new EmotionPredictor(path, OneThread with { MaxFramesPerRun = 4 });
        Assert.False(predictor.Descriptor.PerFrameOutputs);
        var frames = Frames(6, seed: 80);
        try
        {
            var expected = ExpectedValence(frames);
            var predictions = predictor.PredictSequence(frames);
            Assert.Equal(6, predictions.Count);
            for (int t = 0; t < 6; t++) Assert.Equal(expected[t], predictions[t].Valence!.Value, 1e-4);

            // Whole sequences in one run give one prediction per sequence, for its last frame.
            int length = predictor.FrameLength;
            var data = new float[2 * 3 * length];
            data.AsSpan(3 * length).Fill(1f); // sequence 0 all zeros, sequence 1 all ones: s = 0 and 3
            var perSequence = predictor.PredictPreprocessed(data, 2, 3);
            Assert.Equal(2, perSequence.Count);
            Assert.Equal(3, perSequence[1].FrameNumber);
            Assert.Equal(Math.Tanh(TinyModels.VaBias[0]), perSequence[0].Valence!.Value, 1e-5);
            Assert.Equal(Math.Tanh(3 * TinyModels.V[0] + TinyModels.VaBias[0]), perSequence[1].Valence!.Value, 1e-5);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }

    private static async IAsyncEnumerable<Image<Rgb24>> Produce(int count, int seed, [EnumeratorCancellation] CancellationToken token = default)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            using var image = TinyModels.RandomImage(seed + i);
            yield return image;
        }
    }

    private static IEnumerable<Image<Rgb24>> ProduceSync(int count, int seed)
    {
        for (int i = 0; i < count; i++)
        {
            using var image = TinyModels.RandomImage(seed + i);
            yield return image;
        }
    }
}
