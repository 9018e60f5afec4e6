using System.Text.Json;
using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Metrics;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Heads;
using Emotion.Torch.Inference;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Tests.Inference;
using Emotion.Torch.Tests.Training;

namespace Emotion.Torch.Tests.Evaluation;

/// <summary>Streaming evaluation: each video whole, the state carried and reset at gaps, exactly as deployment runs it.</summary>
public sealed class StreamingEvaluationTests
{
    private const int Size = 16;

    private static HeadSpec Head(string name) => name switch
    {
        "gru" => HeadSpec.Gru(hidden: 8),
        "lstm" => HeadSpec.Lstm(hidden: 8, layers: 2),
        "last" => HeadSpec.Gru(hidden: 8, output: SequenceOutput.LastStep),
        "bigru" => HeadSpec.Gru(hidden: 8, bidirectional: true),
        _ => HeadSpec.NoRecurrence(),
    };

    [Theory]
    [InlineData("gru", 3)]
    [InlineData("lstm", 4)]
    [InlineData("last", 3)]
    [InlineData("bigru", 4)]
    [InlineData("none", 32)]
    public void StreamingEvaluationEqualsTheFrameSequencePredictorExactly(string head, int chunk)
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25, head: Head(head));
        var dataset = GapVideos.Dataset(Size);
        model.train();
        var result = ModelEvaluator.Evaluate(model, dataset, new EvaluationOptions { ChunkSize = chunk, Workers = 1 });
        Assert.True(model.training); // mode restored
        Assert.Equal(EvaluationMode.Streaming, result.Mode);
        Assert.Equal(16, result.Frames);
        Assert.Equal(3, result.Sequences); // a: 1..5 and 9..12; b: 1..7

        var predictor = new FrameSequencePredictor(model, chunk);
        foreach (var video in dataset.Videos)
        {
            var expected = predictor.Predict(GapVideos.Numbered(video)).ToList();
            var actual = result.Predictions.Where(p => p.VideoId == video.Id).ToList();
            GapVideos.Identical(expected, [.. actual.Select(p => p.Prediction)], $"{head} video {video.Id}");
            Assert.Equal(video.Frames.Select(f => f.Label), actual.Select(p => p.Label));
        }

        // Every frame scored once, with its own label.
        var metrics = new EmotionMetricsAccumulator();
        foreach (var p in result.Predictions) metrics.Add(p.Prediction, p.Label);
        Assert.Equal(metrics.Compute().MacroF1, result.Metrics.MacroF1);
        Assert.Equal(metrics.Compute().CccValence, result.Metrics.CccValence);
        Assert.Equal(dataset.Videos.Sum(v => v.Frames.Count(f => f.Label.Category is not null)), result.Metrics.CategoryFrames);
    }

    private static List<SequenceBatch> WindowBatches(EmotionModel model, EmotionDataset dataset, int length, int batchSize)
    {
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = Size, Height = Size, Normalization = model.Info.Normalization });
        using var loader = SequenceBatchLoader.ForEvaluation(dataset, pipeline, length, batchSize, workers: 1);
        return [.. loader.ReadEpoch(0)];
    }

    [Fact]
    public void TheStateIsCarriedAcrossWindowsAndBatchesAndResetOnlyAtGaps()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        var dataset = GapVideos.Dataset(Size);
        // Windows of 3 frames, 2 per batch: a's first run (5 frames) spans two windows, b's 7 frames span three windows and two batches.
        var batches = WindowBatches(model, dataset, 3, 2);
        var streamed = ModelEvaluator.Evaluate(model, batches);
        var windowed = ModelEvaluator.Evaluate(model, batches, new EvaluationOptions { Mode = EvaluationMode.Windowed });
        Assert.Equal(3, streamed.Sequences);
        Assert.Equal(7, windowed.Sequences); // a: 2 + 2 windows, b: 3

        double worstWindowed = 0;
        foreach (var video in dataset.Videos)
        {
            var predictions = streamed.Predictions.Where(p => p.VideoId == video.Id).ToList();
            var windowPredictions = windowed.Predictions.Where(p => p.VideoId == video.Id).ToList();
            int i = 0;
            foreach (var run in GapVideos.Runs(video))
            {
                var (probabilities, va) = GapVideos.WholeRun(model, run);
                for (int t = 0; t < run.Count; t++, i++)
                {
                    var p = predictions[i].Prediction;
                    Assert.Equal(run[t].Number, p.FrameNumber);
                    for (int k = 0; k < 7; k++) Assert.Equal(probabilities[t * 7 + k], p.Probabilities[k], 1e-5);
                    Assert.Equal(va[2 * t], p.Valence!.Value, 1e-5);
                    Assert.Equal(va[2 * t + 1], p.Arousal!.Value, 1e-5);
                    worstWindowed = Math.Max(worstWindowed, Math.Abs(va[2 * t] - windowPredictions[i].Prediction.Valence!.Value));
                }
            }
        }
        // The control: windows from a zero state lose the context, so windowed evaluation is not what deployment computes.
        Assert.True(worstWindowed > 1e-4, $"windowed and streamed valence differ by only {worstWindowed}");
    }

    [Fact]
    public void TheStreamingLossIsTheLossOfTheStreamedOutputs()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        var dataset = GapVideos.Dataset(Size);
        var batches = WindowBatches(model, dataset, 4, 16); // one batch holding every window
        Assert.Single(batches);
        using var loss = new EmotionLoss(LossSpec.DefaultFor(EmotionTask.Combined));
        var result = ModelEvaluator.Evaluate(model, batches, loss: loss);

        // By hand from the streamed predictions: mean cross-entropy of the labeled frames + (1 - CCC_v + 1 - CCC_a) / 2.
        var frames = result.Predictions;
        double crossEntropy = frames.Where(p => p.Label.Category is not null)
            .Average(p => -Math.Log(p.Prediction.Probabilities[(int)p.Label.Category!.Value]));
        double Ccc(Func<PredictedFrame, float?> label, Func<PredictedFrame, float?> predicted)
        {
            var pairs = frames.Where(p => label(p) is not null).Select(p => ((double)predicted(p)!.Value, (double)label(p)!.Value)).ToList();
            double mx = pairs.Average(q => q.Item1), my = pairs.Average(q => q.Item2);
            double vx = pairs.Average(q => (q.Item1 - mx) * (q.Item1 - mx)), vy = pairs.Average(q => (q.Item2 - my) * (q.Item2 - my));
            double cov = pairs.Average(q => (q.Item1 - mx) * (q.Item2 - my));
            return 2 * cov / (vx + vy + (mx - my) * (mx - my));
        }
        double ccc = (1 - Ccc(p => p.Label.Valence, p => p.Prediction.Valence) + 1 - Ccc(p => p.Label.Arousal, p => p.Prediction.Arousal)) / 2;
        Assert.NotNull(result.Loss);
        Assert.Equal(crossEntropy + ccc, result.Loss!.Total, 1e-4);
        Assert.Equal(crossEntropy, result.Loss.Terms["ce"], 1e-4);
    }

    [Fact]
    public void OverlappingOrShuffledWindowsAreRefusedNamingTheVideoAndFrames()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        var source = SyntheticBatches.Create(batches: 1, batchSize: 1, frames: 6, size: Size, seed: 21)[0];
        var batch = new SequenceBatch(2, 4, Size, Size);
        for (int b = 0; b < 2; b++)
        {
            batch.VideoIds[b] = "v";
            for (int t = 0; t < 4; t++)
            {
                int from = t + 2 * b; // windows [1..4] and [3..6]
                source.Frame(0, from).CopyTo(batch.Frame(b, t));
                batch.FrameMask[batch.Index(b, t)] = true;
                batch.FrameNumbers[batch.Index(b, t)] = from + 1;
            }
        }
        var e = Assert.Throws<ArgumentException>(() => ModelEvaluator.Evaluate(model, [batch]));
        Assert.Contains("frame 3 of video 'v' comes after frame 4", e.Message);
        Assert.Contains("Windowed", e.Message);
        Assert.Equal(6, ModelEvaluator.Evaluate(model, [batch], new EvaluationOptions { Mode = EvaluationMode.Windowed }).Frames);
    }

    [Theory]
    [InlineData(EvaluationMode.Streaming, "streaming")]
    [InlineData(EvaluationMode.Windowed, "windowed")]
    public void MetricsJsonRecordsTheModeAndStillReadsAsAMetricsReport(EvaluationMode mode, string name)
    {
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        var result = ModelEvaluator.Evaluate(model, GapVideos.Dataset(Size), new EvaluationOptions { Mode = mode, Workers = 1 });
        Assert.Equal(mode, result.Mode);
        string path = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.json");
        try
        {
            result.WriteMetricsJson(path);
            string json = File.ReadAllText(path);
            using (var document = JsonDocument.Parse(json))
            {
                var first = document.RootElement.EnumerateObject().First();
                Assert.Equal("mode", first.Name);
                Assert.Equal(name, first.Value.GetString());
            }
            Assert.Equal(mode, EvaluationResult.ReadMode(json));
            var report = EmotionMetricsReport.FromJson(json);
            Assert.Equal(result.Metrics.MacroF1, report.MacroF1);
            Assert.Equal(result.Metrics.CccArousal, report.CccArousal);
            Assert.Null(EvaluationResult.ReadMode(result.Metrics.ToJson())); // a file from before the mode was recorded
            Assert.Throws<FormatException>(() => EvaluationResult.ReadMode("{\"mode\": \"sliding\"}"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModeNamesRoundTripAndBadOptionsNameThemselves()
    {
        foreach (var mode in Enum.GetValues<EvaluationMode>())
            Assert.Equal(mode, EvaluationModeExtensions.ParseMode(mode.ToName().ToUpperInvariant()));
        Assert.Contains("sliding", Assert.Throws<FormatException>(() => EvaluationModeExtensions.ParseMode("sliding")).Message);
        Assert.Equal("ChunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { ChunkSize = 0 }.Validate()).ParamName);
        Assert.Equal("Mode", Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationOptions { Mode = (EvaluationMode)7 }.Validate()).ParamName);
    }
}
