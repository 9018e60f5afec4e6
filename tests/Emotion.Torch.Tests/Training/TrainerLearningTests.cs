using Emotion.Core;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Torch.Evaluation;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Training;

public class TrainerLearningTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void SmallCombinedModelLearnsSyntheticDataAndWritesCheckpointsAndHistory()
    {
        using var temp = new TempFolder("emotion-torch-");
        string dir = temp.Path;
        var train = SyntheticBatches.Create(batches: 16, batchSize: 8, frames: 4, size: 32, seed: 1);
        var validation = SyntheticBatches.Create(batches: 4, batchSize: 8, frames: 4, size: 32, seed: 2, video: "val");
        using var model = SyntheticBatches.Model(EmotionTask.Combined);
        var recorder = new SyntheticBatches.Recorder();
        var options = new TrainerOptions
        {
            Optimizer = OptimizerKind.AdamW,
            LearningRate = 3e-3,
            Schedule = LearningRateSchedule.Cosine(0.1).WithWarmup(10),
            GradientClipNorm = 5,
            Epochs = 4,
            Seed = 3,
            OutputDirectory = dir,
        };
        using var trainer = new Trainer(model, options, recorder);
        var result = trainer.Fit(BatchSource.FromBatches(train), BatchSource.FromBatches(validation));

        var last = result.History.Epochs[^1].Validation!;
        output.WriteLine($"macro F1 {last.MacroF1:F3}, accuracy {last.Accuracy:F3}, CCC V {last.CccValence:F3}, CCC A {last.CccArousal:F3}, {result.History.Epochs.Sum(e => e.Seconds):F1} s, {result.History.Epochs[^1].FramesPerSecond:F0} frames/s");
        Assert.True(last.MacroF1 > 0.6, $"macro F1 {last.MacroF1} should be well above chance (1/7)");
        Assert.True(last.AbawVaScore > 0.5, $"mean CCC {last.AbawVaScore} should be clearly above 0");
        Assert.True(result.History.Epochs[^1].TrainLoss < result.History.Epochs[0].TrainLoss * 0.6);
        Assert.Equal(4 * 16, result.GlobalStep);
        Assert.Equal(MonitorMetric.Combined, result.Monitor);

        // Progress: every step reported, with learning rate, throughput and ETA.
        var steps = recorder.Reports.Where(r => r.Phase == TrainingPhase.Step).ToList();
        Assert.Equal(4 * 16, steps.Count);
        Assert.All(steps, s => Assert.True(s.FramesPerSecond > 0 && s.StepsPerEpoch == 16 && s.EstimatedRemaining is not null));
        Assert.Equal(3e-3 / 10, steps[0].LearningRate, 12);
        Assert.True(steps[^1].LearningRate < steps[20].LearningRate);
        Assert.Equal(4, recorder.Reports.Count(r => r.Phase == TrainingPhase.EpochCompleted));
        Assert.Equal(TrainingPhase.Finished, recorder.Reports[^1].Phase);
        Assert.Contains("ce", steps[0].LossTerms.Keys);
        Assert.Contains("ccc", steps[0].LossTerms.Keys);

        // History files: one row per epoch.
        var csv = File.ReadAllLines(Path.Combine(dir, TrainingHistory.CsvFileName));
        Assert.Equal(5, csv.Length);
        Assert.StartsWith("epoch,global_step,learning_rate,train_loss,train_ccc,train_ce,val_loss,val_ccc,val_ce,accuracy,macro_f1,ccc_valence,ccc_arousal,ccc_mean,monitor", csv[0]);
        var history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(dir, TrainingHistory.JsonFileName)));
        Assert.Equal(4, history.Epochs.Length);
        Assert.Equal(last.MacroF1, history.Epochs[^1].Validation!.MacroF1);

        // Checkpoints: best is the best epoch, last the final one; last reloads without re-stating the architecture.
        Assert.NotNull(result.BestCheckpoint);
        var bestState = TrainingCheckpoint.ReadState(result.BestCheckpoint!);
        Assert.Equal(result.BestEpoch, bestState.Epoch);
        Assert.Equal(result.BestValue, bestState.BestValue);
        var lastState = TrainingCheckpoint.ReadState(result.LastCheckpoint!);
        Assert.Equal(4, lastState.Epoch);
        Assert.Equal(result.GlobalStep, lastState.GlobalStep);
        Assert.True(lastState.HasOptimizerState);
        Assert.Empty(Directory.GetDirectories(dir, ".*"));

        using var reloaded = TrainingCheckpoint.LoadModel(result.LastCheckpoint!);
        Assert.Equal(model.Options, reloaded.Options);
        var a = ModelEvaluator.Evaluate(model, validation);
        var b = ModelEvaluator.Evaluate(reloaded, validation);
        Assert.Equal(a.Predictions.Length, b.Predictions.Length);
        for (int i = 0; i < a.Predictions.Length; i++)
        {
            Assert.Equal(a.Predictions[i].Prediction.Probabilities.AsSpan().ToArray(), b.Predictions[i].Prediction.Probabilities.AsSpan().ToArray());
            Assert.Equal(a.Predictions[i].Prediction.Valence, b.Predictions[i].Prediction.Valence);
        }
        Assert.Equal(last.MacroF1, a.Metrics.MacroF1);
    }
}
