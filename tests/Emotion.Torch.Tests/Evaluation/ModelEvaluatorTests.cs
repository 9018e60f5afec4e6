using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Metrics;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Heads;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Tests.Training;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Evaluation;

public class ModelEvaluatorTests
{
    private const int Size = 16;

    /// <summary>Video "v" frames 1..6 as two overlapping windows [1..4] and [3..6]; video "w" frames 1..2 padded to 4.</summary>
    private static SequenceBatch OverlappingBatch()
    {
        var source = SyntheticBatches.Create(batches: 1, batchSize: 1, frames: 6, size: Size, seed: 21)[0];
        var batch = new SequenceBatch(3, 4, Size, Size);
        void Copy(int b, int t, int from)
        {
            source.Frame(0, from).CopyTo(batch.Frame(b, t));
            batch.SetLabel(b, t, source.GetLabel(0, from));
            batch.FrameMask[batch.Index(b, t)] = true;
            batch.FrameNumbers[batch.Index(b, t)] = from + 1;
        }
        batch.VideoIds[0] = batch.VideoIds[1] = "v";
        batch.VideoIds[2] = "w";
        for (int t = 0; t < 4; t++) Copy(0, t, t);
        for (int t = 0; t < 4; t++) Copy(1, t, t + 2);
        Copy(2, 0, 0);
        Copy(2, 1, 1);
        return batch;
    }

    private static (float[] Probabilities, float[] Va) Reference(EmotionModel model, SequenceBatch batch, int b, int frames)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var input = SequenceBatchTensors.Frames(batch).narrow(0, b, 1).narrow(1, 0, frames);
        using var output = model.call(input);
        return (output.Logits!.softmax(-1).data<float>().ToArray(), output.ValenceArousal!.data<float>().ToArray());
    }

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(OverlapPolicy.MostContext)]
    [InlineData(OverlapPolicy.Average)]
    public void WindowedOverlappingWindowsGiveOnePredictionPerFrame(OverlapPolicy policy)
    {
        var batch = OverlappingBatch();
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25);
        model.train();
        var result = ModelEvaluator.Evaluate(model, [batch], new EvaluationOptions { Mode = EvaluationMode.Windowed, Overlap = policy });
        Assert.True(model.training); // mode restored

        Assert.Equal(8, result.Frames);
        Assert.Equal(3, result.Sequences);
        Assert.Equal(["v:1", "v:2", "v:3", "v:4", "v:5", "v:6", "w:1", "w:2"], result.Predictions.Select(p => $"{p.VideoId}:{p.Prediction.FrameNumber}"));

        var a = Reference(model, batch, 0, 4);
        var b = Reference(model, batch, 1, 4);
        var w = Reference(model, batch, 2, 2);
        for (int f = 1; f <= 6; f++)
        {
            var p = result.Predictions[f - 1].Prediction;
            // Frame f is at position f-1 of window A (frames 1..4) and at position f-3 of window B (frames 3..6).
            float[] probs, va;
            if (f <= 2) (probs, va) = (a.Probabilities[((f - 1) * 7)..(f * 7)], a.Va[((f - 1) * 2)..(f * 2)]);
            else if (f >= 5) (probs, va) = (b.Probabilities[((f - 3) * 7)..((f - 2) * 7)], b.Va[((f - 3) * 2)..((f - 2) * 2)]);
            else if (policy == OverlapPolicy.MostContext) // A has more earlier frames for 3 and 4
                (probs, va) = (a.Probabilities[((f - 1) * 7)..(f * 7)], a.Va[((f - 1) * 2)..(f * 2)]);
            else
                (probs, va) = (
                    a.Probabilities[((f - 1) * 7)..(f * 7)].Zip(b.Probabilities[((f - 3) * 7)..((f - 2) * 7)], (x, y) => (x + y) / 2).ToArray(),
                    a.Va[((f - 1) * 2)..(f * 2)].Zip(b.Va[((f - 3) * 2)..((f - 2) * 2)], (x, y) => (x + y) / 2).ToArray());
            Close(probs, p.Probabilities.AsSpan());
            Close(va, [p.Valence!.Value, p.Arousal!.Value]);
        }
        Close(w.Probabilities[7..14], result.Predictions[7].Prediction.Probabilities.AsSpan());

        // Metrics count every frame once.
        var expected = new EmotionMetricsAccumulator();
        foreach (var p in result.Predictions) expected.Add(p.Prediction, p.Label);
        Assert.Equal(expected.Compute().CategoryFrames, result.Metrics.CategoryFrames);
        Assert.Equal(result.Predictions.Count(p => p.Label.Category is not null), result.Metrics.CategoryFrames);
        Assert.Equal(8, result.Metrics.ValenceFrames);
        Assert.Equal(expected.Compute().MacroF1, result.Metrics.MacroF1);
        Assert.Equal(expected.Compute().CccValence, result.Metrics.CccValence);
    }

    [Fact]
    public void WindowedSequenceToOneModelsPredictTheLastRealFrameOfEachWindow()
    {
        var batch = OverlappingBatch();
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: Size, frames: 4, hidden: 8, width: 0.25,
            head: HeadSpec.Gru(hidden: 8, output: SequenceOutput.LastStep));
        var result = ModelEvaluator.Evaluate(model, [batch], new EvaluationOptions { Mode = EvaluationMode.Windowed });
        Assert.Equal(["v:4", "v:6", "w:2"], result.Predictions.Select(p => $"{p.VideoId}:{p.Prediction.FrameNumber}"));
    }

    [Fact]
    public void PredictionsCsvAndMetricsJsonHaveTheDocumentedColumns()
    {
        using var temp = new TempFolder("emotion-torch-");
        string dir = temp.Path;
        var batch = OverlappingBatch();
        using var model = SyntheticBatches.Model(EmotionTask.ValenceArousal, size: Size, frames: 4, hidden: 8, width: 0.25);
        using var loss = new EmotionLoss(LossSpec.DefaultFor(EmotionTask.ValenceArousal));
        var result = ModelEvaluator.Evaluate(model, [batch], new EvaluationOptions { Mode = EvaluationMode.Windowed }, loss: loss);
        Assert.NotNull(result.Loss);
        Assert.Contains("ccc", result.Loss!.Terms.Keys);
        string csv = Path.Combine(dir, "predictions.csv");
        result.WritePredictionsCsv(csv);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("video,frame,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal", lines[0]);
        Assert.Equal(9, lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal(["v", "1", "", "", "", "", "", "", "", ""], first[..10]);
        Assert.Equal(result.Predictions[0].Prediction.Valence!.Value, float.Parse(first[10], System.Globalization.CultureInfo.InvariantCulture), 6);

        string json = Path.Combine(dir, "metrics.json");
        result.WriteMetricsJson(json);
        var report = EmotionMetricsReport.FromJson(File.ReadAllText(json));
        Assert.Equal(8, report.ValenceFrames);
        Assert.Equal(0, report.CategoryFrames);
        Assert.Equal(result.Metrics.CccArousal, report.CccArousal);
    }

    [Fact]
    public void ABatchOfAnotherFrameSizeIsRefused()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Categorical, size: Size, frames: 2, hidden: 8, width: 0.25);
        var batch = SyntheticBatches.Create(1, 1, 2, 32, 1)[0];
        var e = Assert.Throws<ArgumentException>(() => ModelEvaluator.Evaluate(model, [batch]));
        Assert.Contains("32x32", e.Message);
    }
}
