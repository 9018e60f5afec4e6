using Emotion.Testing;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Backbones;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Heads;
using Emotion.Torch.Inference;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Emotion.Onnx.Tests.Inference;

/// <summary>
/// Evaluation measures what is deployed: <c>ModelEvaluator</c>'s streaming per-frame outputs equal
/// <c>FrameSequencePredictor</c>'s (bit for bit: the same TorchSharp calls) and the exported model's <c>EmotionStream</c>'s
/// (ONNX Runtime, within float tolerance) on the same videos, one of them with a gap in its frame numbers.
/// </summary>
public sealed class StreamingEvaluationAgreementTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 16, Chunk = 4;

    /// <summary>
    /// ONNX Runtime vs TorchSharp: the same float32 graph computed with other kernels (another summation order). Measured
    /// on these models: at most 6e-8 (GRU) and 9e-8 (LSTM) on probabilities, valence and arousal; 1e-5 leaves two orders of
    /// magnitude for other CPUs' kernels and is still far below the effect of a lost state (the control below moves the
    /// outputs by 5e-2 to 1.6e-1).
    /// </summary>
    private const double OnnxTolerance = 1e-5;

    private readonly TempFolder dir = new("emotion-onnx-");
    private readonly List<Image<Rgb24>> images = [];

    public void Dispose()
    {
        foreach (var image in images) image.Dispose();
        dir.Dispose();
    }

    private VideoRecord Video(string id, IEnumerable<int> numbers, int seed)
    {
        var random = new Random(seed);
        var frames = new List<VideoFrame>();
        foreach (int number in numbers)
        {
            var image = TinyModels.RandomImage(seed * 100 + number, Size, Size);
            images.Add(image);
            var label = new FrameLabel(random.NextDouble() < 0.2 ? null : (EmotionCategory)random.Next(7),
                (float)(random.NextDouble() * 2 - 1), (float)(random.NextDouble() * 2 - 1));
            frames.Add(new VideoFrame(number, new InMemoryFrameSource(image, $"{id} frame {number}"), label));
        }
        return new VideoRecord(id, frames);
    }

    private static float[] Values(FramePrediction p) => [.. p.Probabilities, p.Valence!.Value, p.Arousal!.Value];

    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    public void StreamingEvaluationEqualsTheTorchAndOnnxStreamingPredictorsOnAVideoWithAGap(string head)
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: Size)
            .WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
            .WithRecurrentHead(head == "gru" ? HeadSpec.Gru(hidden: 8) : HeadSpec.Lstm(hidden: 8, layers: 2))
            .ForTask(EmotionTask.Combined)
            .WithSeed(17)
            .Build();
        // Frames 1..6 and 10..15 of "gap" (chunks of 4 cross the runs' middles), and an unbroken "plain" video.
        var dataset = new EmotionDataset("agreement", [Video("gap", [.. Enumerable.Range(1, 6), .. Enumerable.Range(10, 6)], 1), Video("plain", Enumerable.Range(1, 9), 2)]);
        var evaluation = ModelEvaluator.Evaluate(model, dataset, new EvaluationOptions { ChunkSize = Chunk, Workers = 1 });
        Assert.Equal(EvaluationMode.Streaming, evaluation.Mode);
        Assert.Equal(3, evaluation.Sequences);

        string path = dir.File($"{head}.onnx");
        OnnxExporter.Export(model, path);
        using var predictor = new EmotionPredictor(path, new EmotionPredictorOptions { IntraOpThreads = 1 });
        Assert.Equal(model.Info.Categories, predictor.Categories);
        var torch = new FrameSequencePredictor(model, Chunk);

        double worstOnnx = 0, lostState = 0;
        foreach (var video in dataset.Videos)
        {
            var evaluated = evaluation.Predictions.Where(p => p.VideoId == video.Id).Select(p => p.Prediction).ToList();
            Assert.Equal(video.Frames.Select(f => f.Number), evaluated.Select(p => p.FrameNumber));

            // TorchSharp streaming predictor: identical, bit for bit.
            var torchPredictions = torch.Predict(video.Frames.Select(f => new NumberedFrame(f.Number, f.Source))).ToList();
            Assert.Equal(evaluated.Select(p => p.FrameNumber), torchPredictions.Select(p => p.FrameNumber));
            for (int i = 0; i < evaluated.Count; i++)
                Assert.True(Values(evaluated[i]).SequenceEqual(Values(torchPredictions[i])), $"{head} {video.Id} frame {evaluated[i].FrameNumber}: torch predictor differs");

            // ONNX Runtime stream, fed the frame numbers.
            using var stream = predictor.OpenStream(Chunk);
            var onnx = new List<FramePrediction>();
            var pixels = video.Frames.Select(f => ((InMemoryFrameSource)f.Source).Decode()).ToList();
            foreach (var (frame, image) in video.Frames.Zip(pixels)) onnx.AddRange(stream.Push(image, frame.Number));
            onnx.AddRange(stream.Complete());
            Assert.Equal(evaluated.Select(p => p.FrameNumber), onnx.Select(p => p.FrameNumber));
            for (int i = 0; i < evaluated.Count; i++)
            {
                var expected = Values(evaluated[i]);
                var actual = Values(onnx[i]);
                for (int k = 0; k < expected.Length; k++)
                {
                    worstOnnx = Math.Max(worstOnnx, Math.Abs(expected[k] - actual[k]));
                    Assert.True(Math.Abs(expected[k] - actual[k]) <= OnnxTolerance,
                        $"{head} {video.Id} frame {evaluated[i].FrameNumber} value {k}: evaluate {expected[k]}, ONNX {actual[k]}");
                }
            }

            // The control: an ONNX stream that ignores the numbers carries its state over the gap and disagrees there.
            if (video.Id == "gap")
            {
                var carried = stream.Process(pixels).ToList();
                for (int i = 6; i < carried.Count; i++)
                    lostState = Math.Max(lostState, Values(evaluated[i]).Zip(Values(carried[i]), (a, b) => Math.Abs(a - b)).Max());
            }
            foreach (var image in pixels) image.Dispose();
        }
        output.WriteLine($"{head}: largest |evaluate - ONNX| = {worstOnnx:E2}; carrying the state over the gap changes outputs by up to {lostState:E2}");
        Assert.True(lostState > 1e-3, $"the state carried over the gap changed the outputs by only {lostState}");
    }
}
