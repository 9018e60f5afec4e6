using Emotion.Core;
using Emotion.Torch.Heads;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Training;

[Collection(SerialCollection.Name)]
public class TrainerRunTests
{
    private static TrainerOptions Quick(int epochs, string? output = null) => new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 2e-3,
        BackboneLearningRate = 1e-3,
        Schedule = LearningRateSchedule.Step(everyEpochs: 1, gamma: 0.5).WithWarmup(3),
        Epochs = epochs,
        Seed = 11,
        MonitorMetric = MonitorMetric.Loss,
        OutputDirectory = output,
    };

    private static double[] Run(TrainerOptions options, EmotionTask task = EmotionTask.Combined, double dropout = 0.3)
    {
        var batches = SyntheticBatches.Create(batches: 4, batchSize: 2, frames: 3, size: 16, seed: 5);
        using var model = EmotionModel.Create().WithInput(3, 16).WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn(0.25))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8)).WithOutputDropout(dropout).ForTask(task).WithSeed(4).Build();
        var recorder = new SyntheticBatches.Recorder();
        using var trainer = new Trainer(model, options, recorder);
        trainer.Fit(BatchSource.FromBatches(batches));
        return recorder.StepLosses;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void SameSeedGivesIdenticalLossesAndAnotherSeedDiffers()
    {
        var a = Run(Quick(2));
        var b = Run(Quick(2));
        Assert.Equal(8, a.Length);
        Assert.Equal(a, b);
        var c = Run(Quick(2) with { Seed = 12 });
        Assert.NotEqual(a, c); // dropout masks differ
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ResumeContinuesFromTheSavedStepAndReproducesTheUninterruptedRun()
    {
        using var outputFolder = new TempFolder("emotion-torch-");
        string output = outputFolder.Path;
        var uninterrupted = Run(Quick(3));
        var firstPart = Run(Quick(2, output));
        Assert.Equal(uninterrupted[..8], firstPart);

        var batches = SyntheticBatches.Create(batches: 4, batchSize: 2, frames: 3, size: 16, seed: 5);
        var recorder = new SyntheticBatches.Recorder();
        using var resumed = Trainer.Resume(Path.Combine(output, TrainingCheckpoint.LastName), Quick(3, output), recorder);
        Assert.Equal(2, resumed.CompletedEpochs);
        Assert.Equal(8, resumed.GlobalStep);
        var result = resumed.Fit(BatchSource.FromBatches(batches));

        var steps = recorder.Reports.Where(r => r.Phase == TrainingPhase.Step).ToList();
        Assert.Equal([9L, 10, 11, 12], steps.Select(s => s.GlobalStep));
        Assert.All(steps, s => Assert.Equal(3, s.Epoch));
        Assert.Equal(uninterrupted[8..], recorder.StepLosses);
        Assert.Equal(3, result.History.Epochs.Length);
        Assert.Equal(12, result.GlobalStep);
        Assert.Equal(2e-3 * 0.25, steps[0].LearningRate, 12);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement()
    {
        var batches = SyntheticBatches.Create(batches: 2, batchSize: 2, frames: 2, size: 16, seed: 8);
        using var model = SyntheticBatches.Model(EmotionTask.Categorical, size: 16, frames: 2, hidden: 8, width: 0.25);
        // An improvement must be larger than 10: after the first epoch nothing improves, so patience 2 stops after epoch 3.
        using var trainer = new Trainer(model, new TrainerOptions { Epochs = 20, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 10, MonitorMetric = "macroF1" });
        var result = trainer.Fit(BatchSource.FromBatches(batches), BatchSource.FromBatches(batches));
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.CompletedEpochs);
        Assert.Equal(1, result.BestEpoch);
        Assert.Equal([true, false, false], result.History.Epochs.Select(e => e.IsBest));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void LiveTensorCountStaysFlatOverManySteps()
    {
        var batches = SyntheticBatches.Create(batches: 10, batchSize: 2, frames: 2, size: 16, seed: 9);
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: 16, frames: 2, hidden: 8, width: 0.25);
        var counts = new List<long>();
        var recorder = new SyntheticBatches.Recorder
        {
            OnReport = r => { if (r.Phase == TrainingPhase.Step) counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount); },
        };
        var options = new TrainerOptions { Epochs = 20, MonitorMetric = MonitorMetric.Loss, GradientClipNorm = 1, Optimizer = OptimizerKind.Sgd, Momentum = 0.9, Nesterov = true };
        using var trainer = new Trainer(model, options, recorder);
        trainer.Fit(BatchSource.FromBatches(batches), BatchSource.FromBatches(batches[..2]));
        Assert.Equal(200, counts.Count);
        // After the first steps (optimizer state created), the number of live tensors created on this thread never grows
        // (the per-thread count: tests of other classes run in parallel).
        Assert.True(counts.Skip(10).Max() <= counts[10], $"live tensors grew from {counts[10]} to {counts.Skip(10).Max()}");
    }

    [Fact]
    public void FrozenStagesStayUnchangedAndTheBackboneGroupGetsItsOwnRate()
    {
        var batches = SyntheticBatches.Create(batches: 3, batchSize: 2, frames: 2, size: 16, seed: 4);
        using var model = EmotionModel.Create().WithInput(2, 16).WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn(0.25))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8)).ForTask(EmotionTask.Categorical).FreezeStages("block1").WithSeed(2).Build();
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        Assert.NotEmpty(frozen);
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 1, MonitorMetric = MonitorMetric.Loss, GradientClipNorm = 0.5, LearningRate = 1e-2, BackboneLearningRate = 1e-3, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01,
        });
        trainer.Fit(BatchSource.FromBatches(batches));
        var groups = trainer.Optimizer.ParamGroups.ToList();
        Assert.Equal([1e-3, 1e-2], groups.Select(g => g.LearningRate));
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (frozen.TryGetValue(name, out var before)) Assert.True(before.equal(parameter).all().item<bool>(), $"{name} changed although frozen");
            else Assert.False(trainable[name].equal(parameter).all().item<bool>(), $"{name} did not train");
        }
    }

    [Fact]
    public void MonitoringAValidationMetricWithoutValidationDataIsRefused()
    {
        using var model = SyntheticBatches.Model(EmotionTask.Categorical, size: 16, frames: 2, hidden: 8, width: 0.25);
        using var trainer = new Trainer(model, new TrainerOptions { Epochs = 1 });
        var batches = SyntheticBatches.Create(1, 1, 2, 16, 1);
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(BatchSource.FromBatches(batches)));
        Assert.Contains("'macroF1'", e.Message);
        Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainerOptions { MonitorMetric = "cccMean" }));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainerOptions { MonitorMetric = "auc" }));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainerOptions { LearningRate = 0 }));
    }

    [Fact]
    public void TheLossIsATrainerOptionCheckedAgainstTheTaskAndTrained()
    {
        using (var categorical = SyntheticBatches.Model(EmotionTask.Categorical, size: 16, frames: 2, hidden: 8, width: 0.25))
        {
            var both = new LossBuilder().CrossEntropy().Ccc().Build();
            Assert.Contains("task 'categorical' predicts no valence/arousal",
                Assert.Throws<ArgumentException>(() => new Trainer(categorical, new TrainerOptions { Loss = both })).Message);
            using var defaulted = new Trainer(categorical, new TrainerOptions { Epochs = 1 });
            Assert.Equal(LossSpec.DefaultFor(EmotionTask.Categorical), defaulted.Loss);
            Assert.Equal(defaulted.Loss, defaulted.Options.Loss);
            Assert.Equal(defaulted.Loss, defaulted.CurrentState().Options.Loss);
        }
        using (var combined = SyntheticBatches.Model(EmotionTask.Combined, size: 16, frames: 2, hidden: 8, width: 0.25))
        {
            Assert.Contains("no cross-entropy",
                Assert.Throws<ArgumentException>(() => new Trainer(combined, new TrainerOptions { Loss = new LossBuilder().Ccc().Build() })).Message);
        }

        // The options' loss is the one minimised: doubling the only term's weight doubles the first step's loss (same weights,
        // same batch, same seeded dropout).
        var once = Run(Quick(1) with { Loss = new LossBuilder().CrossEntropy(weight: 1).Build() }, EmotionTask.Categorical);
        var twice = Run(Quick(1) with { Loss = new LossBuilder().CrossEntropy(weight: 2).Build() }, EmotionTask.Categorical);
        Assert.Equal(2 * once[0], twice[0], 6);
    }
}
