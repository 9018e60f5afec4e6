using System.Text.Json;
using System.Text.Json.Nodes;
using Emotion.Core;
using Emotion.Torch.Heads;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Training;

/// <summary>
/// <see cref="Trainer.Resume"/> continues a run exactly: an interrupted run resumed from its last checkpoint ends with the same
/// history (every value but wall-clock times) and the same weights, bit for bit, as the uninterrupted run.
/// </summary>
[Collection(SerialCollection.Name)]
public class ResumeTests
{
    private static TrainerOptions Options(int epochs, string output) => new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 3e-3,
        BackboneLearningRate = 1e-3,
        Schedule = LearningRateSchedule.Cosine(minFactor: 0.05).WithWarmup(3),
        GradientClipNorm = 5,
        Epochs = epochs,
        Seed = 21,
        MonitorMetric = "macroF1",
        EarlyStoppingPatience = 10,
        OutputDirectory = output,
    };

    private static EmotionModel NewModel() => EmotionModel.Create().WithInput(3, 16).WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn(0.25))
        .WithRecurrentHead(HeadSpec.Gru(hidden: 8)).WithOutputDropout(0.3).ForTask(EmotionTask.Combined).WithSeed(4).Build();

    private static (BatchSource Train, BatchSource Valid) Data() => (
        BatchSource.FromBatches(SyntheticBatches.Create(batches: 4, batchSize: 2, frames: 3, size: 16, seed: 5)),
        BatchSource.FromBatches(SyntheticBatches.Create(batches: 2, batchSize: 2, frames: 3, size: 16, seed: 6, video: "w")));

    /// <summary>Every history value but the wall-clock ones (seconds, frames per second), as JSON with round-trip numbers.</summary>
    internal static string Values(TrainingHistory history) =>
        JsonSerializer.Serialize(history with { Epochs = [.. history.Epochs.Select(e => e with { Seconds = 0, FramesPerSecond = 0 })] }, EmotionModelInfo.JsonOptions);

    /// <summary>The largest absolute difference over every tensor of two state dictionaries (which must hold the same names and shapes).</summary>
    internal static double MaxDifference(EmotionModel a, EmotionModel b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        double max = 0;
        foreach (var (name, ta) in sa)
        {
            var tb = sb[name];
            Assert.Equal(ta.shape, tb.shape);
            using var d = (ta.to_type(torch.float64) - tb.to_type(torch.float64)).abs();
            if (d.numel() > 0) max = Math.Max(max, d.max().item<double>());
        }
        return max;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void InterruptedRunResumedFromLastEqualsTheUninterruptedRunInEveryHistoryValueAndWeight()
    {
        using var fullFolder = new TempFolder("emotion-torch-");
        using var cutFolder = new TempFolder("emotion-torch-");
        string full = fullFolder.Path, cut = cutFolder.Path;
        using var model = NewModel();
        TrainingResult expected;
        using (var trainer = new Trainer(model, Options(4, full)))
        {
            var (train, valid) = Data();
            expected = trainer.Fit(train, valid);
        }
        Assert.Equal(4, expected.History.Epochs.Length);

        // The same run planned for 4 epochs, interrupted during epoch 3 (after epoch 2's checkpoint was written).
        using var cutModel = NewModel();
        using var cts = new CancellationTokenSource();
        var stopper = new SyntheticBatches.Recorder { OnReport = r => { if (r.Phase == TrainingPhase.EpochCompleted && r.Epoch == 2) cts.Cancel(); } };
        using (var trainer = new Trainer(cutModel, Options(4, cut), stopper))
        {
            var (train, valid) = Data();
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(train, valid, cts.Token));
        }
        Assert.Equal(2, TrainingHistory.FromJson(File.ReadAllText(Path.Combine(cut, TrainingHistory.JsonFileName))).Epochs.Length);

        // Resume from the run's directory (which resolves to last/) with the checkpoint's own options.
        using var resumed = Trainer.Resume(cut);
        Assert.Equal(2, resumed.CompletedEpochs);
        Assert.Equal(8, resumed.GlobalStep);
        Assert.False(resumed.IsFinished);
        var (t2, v2) = Data();
        var result = resumed.Fit(t2, v2);

        Assert.Equal(Values(expected.History), Values(result.History));
        Assert.Equal(Values(expected.History), Values(TrainingHistory.FromJson(File.ReadAllText(Path.Combine(cut, TrainingHistory.JsonFileName)))));
        Assert.Equal(File.ReadAllLines(Path.Combine(full, TrainingHistory.CsvFileName)).Length, File.ReadAllLines(Path.Combine(cut, TrainingHistory.CsvFileName)).Length);
        Assert.Equal(expected.BestEpoch, result.BestEpoch);
        Assert.Equal(expected.BestValue, result.BestValue);
        Assert.Equal(expected.GlobalStep, result.GlobalStep);
        // Bitwise: the same operations on the same values in the same order on one machine (seeded dropout per epoch, Adam's
        // moments and step counts restored from optimizer.dat).
        Assert.Equal(0.0, MaxDifference(model, resumed.Model));
        using var bestFull = TrainingCheckpoint.LoadModel(Path.Combine(full, TrainingCheckpoint.BestName));
        using var bestCut = TrainingCheckpoint.LoadModel(Path.Combine(cut, TrainingCheckpoint.BestName));
        Assert.Equal(0.0, MaxDifference(bestFull, bestCut));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ResumingAFinishedRunTrainsNothingAndMoreEpochsExtendItWithTheCosineRecomputedOverTheNewTotal()
    {
        using var outputFolder = new TempFolder("emotion-torch-");
        string output = outputFolder.Path;
        using (var model = NewModel())
        using (var trainer = new Trainer(model, Options(2, output)))
        {
            var (train, valid) = Data();
            trainer.Fit(train, valid);
            Assert.True(trainer.IsFinished);
        }
        string historyBefore = File.ReadAllText(Path.Combine(output, TrainingHistory.JsonFileName));
        var bestBefore = File.ReadAllBytes(Path.Combine(output, TrainingCheckpoint.BestName, EmotionModel.WeightsFileName));

        using (var finished = Trainer.Resume(Path.Combine(output, TrainingCheckpoint.LastName)))
        {
            Assert.True(finished.IsFinished);
            var (train, valid) = Data();
            var result = finished.Fit(train, valid);
            Assert.Equal(2, result.CompletedEpochs);
            Assert.Equal(historyBefore, File.ReadAllText(Path.Combine(output, TrainingHistory.JsonFileName)));
            Assert.Equal(bestBefore, File.ReadAllBytes(Path.Combine(output, TrainingCheckpoint.BestName, EmotionModel.WeightsFileName)));
        }

        var steps = new SyntheticBatches.Recorder();
        using var extended = Trainer.Resume(output, Options(4, output), steps);
        Assert.False(extended.IsFinished);
        var (t2, v2) = Data();
        var extendedResult = extended.Fit(t2, v2);
        Assert.Equal(4, extendedResult.History.Epochs.Length);
        Assert.Equal([1, 2, 3, 4], extendedResult.History.Epochs.Select(e => e.Epoch));
        // The first two epochs are kept as they were (appended to, never overwritten).
        var before = TrainingHistory.FromJson(historyBefore);
        Assert.Equal(Values(before), Values(extendedResult.History with { Epochs = extendedResult.History.Epochs[..2] }));
        // Epoch 3 starts at step 8 with the cosine over 4 epochs at position 2/4.
        var first = steps.Reports.First(r => r.Phase == TrainingPhase.Step);
        Assert.Equal(3, first.Epoch);
        Assert.Equal(9, first.GlobalStep);
        Assert.Equal(3e-3 * LearningRateSchedule.Cosine(0.05).Factor(2, 0, 8, 4), first.LearningRate, 12);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ACheckpointOfTheFormatWithTheLossInModelJsonResumesExactlyWithItsLoss()
    {
        var loss = new LossBuilder().CrossEntropy(weight: 1.0, labelSmoothing: 0.1).Ccc(weight: 0.5).Build();
        using var fullFolder = new TempFolder("emotion-torch-");
        using var cutFolder = new TempFolder("emotion-torch-");
        using var model = NewModel();
        TrainingResult expected;
        using (var trainer = new Trainer(model, Options(2, fullFolder.Path) with { Loss = loss }))
        {
            var (train, valid) = Data();
            expected = trainer.Fit(train, valid);
        }

        // The same run interrupted during epoch 2, after epoch 1's checkpoint was written.
        using var cutModel = NewModel();
        using var cts = new CancellationTokenSource();
        var stopper = new SyntheticBatches.Recorder { OnReport = r => { if (r.Phase == TrainingPhase.EpochCompleted && r.Epoch == 1) cts.Cancel(); } };
        using (var trainer = new Trainer(cutModel, Options(2, cutFolder.Path) with { Loss = loss }, stopper))
        {
            var (train, valid) = Data();
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(train, valid, cts.Token));
        }

        // Rewrite the checkpoint as the earlier version wrote it: the loss and the initial-weights seed in model.json, no loss
        // in training.json's trainer options (only the state's own "loss").
        string last = Path.Combine(cutFolder.Path, TrainingCheckpoint.LastName);
        string modelFile = Path.Combine(last, EmotionModel.OptionsFileName), stateFile = Path.Combine(last, TrainingCheckpoint.StateFileName);
        var modelJson = JsonNode.Parse(File.ReadAllText(modelFile))!.AsObject();
        Assert.False(modelJson.ContainsKey("loss"));
        modelJson["loss"] = JsonNode.Parse(loss.ToJson());
        modelJson["seed"] = 4;
        File.WriteAllText(modelFile, modelJson.ToJsonString());
        var stateJson = JsonNode.Parse(File.ReadAllText(stateFile))!.AsObject();
        Assert.True(stateJson["options"]!.AsObject().Remove("loss"));
        File.WriteAllText(stateFile, stateJson.ToJsonString());
        Assert.Equal(loss, TrainingCheckpoint.ReadState(last).Options.Loss); // moved from the state into the options

        using var resumed = Trainer.Resume(cutFolder.Path);
        Assert.Equal(loss, resumed.Loss);
        Assert.Equal(loss, resumed.Options.Loss);
        Assert.Equal(model.Options, resumed.Model.Options);
        var (t2, v2) = Data();
        var result = resumed.Fit(t2, v2);
        Assert.Equal(Values(expected.History), Values(result.History));
        Assert.Equal(0.0, MaxDifference(model, resumed.Model));

        // The checkpoint it wrote is in the current format: the loss in the trainer options, none in model.json.
        Assert.DoesNotContain("\"loss\"", File.ReadAllText(modelFile));
        Assert.Equal(loss, TrainingState.FromJson(File.ReadAllText(stateFile)).Options.Loss);
    }
}
