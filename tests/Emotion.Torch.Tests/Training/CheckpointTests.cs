using Emotion.Core;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Training;

public class CheckpointTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-torch-");
    private string _dir => temp.Path;

    public void Dispose() => temp.Dispose();

    private string TrainedCheckpoint(EmotionTask task = EmotionTask.Combined, int hidden = 8)
    {
        var batches = SyntheticBatches.Create(batches: 2, batchSize: 2, frames: 2, size: 16, seed: 3);
        using var model = SyntheticBatches.Model(task, size: 16, frames: 2, hidden: hidden, width: 0.25);
        using var trainer = new Trainer(model, new TrainerOptions { Epochs = 1, MonitorMetric = MonitorMetric.Loss, OutputDirectory = _dir });
        return trainer.Fit(BatchSource.FromBatches(batches)).LastCheckpoint!;
    }

    [Fact]
    public void CheckpointFolderHoldsModelOptimizerAndStateAndOpensAsASavedModel()
    {
        string last = TrainedCheckpoint();
        Assert.True(File.Exists(Path.Combine(last, EmotionModel.OptionsFileName)));
        Assert.True(File.Exists(Path.Combine(last, EmotionModel.WeightsFileName)));
        Assert.True(File.Exists(Path.Combine(last, TrainingCheckpoint.OptimizerFileName)));
        var state = TrainingCheckpoint.ReadState(last);
        Assert.Equal(1, state.Epoch);
        Assert.Equal(2, state.GlobalStep);
        Assert.Equal(LossSpecDefault(), state.Loss);
        Assert.Equal(1, state.Options.Epochs);
        using var model = EmotionModel.Load(last); // a checkpoint is also a plain saved model
        Assert.Equal(EmotionTask.Combined, model.Options.Task);
    }

    [Fact]
    public void ARunFolderResolvesToItsBestCheckpointAndAPlainSavedModelLoadsToo()
    {
        string last = TrainedCheckpoint();
        Assert.Equal(Path.Combine(_dir, TrainingCheckpoint.BestName), TrainingCheckpoint.Resolve(_dir));
        using var fromRun = TrainingCheckpoint.LoadModel(_dir);
        string plain = Path.Combine(_dir, "plain");
        fromRun.Save(plain);
        using var fromPlain = TrainingCheckpoint.LoadModel(plain);
        Assert.Equal(fromRun.Options, fromPlain.Options);
        Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.ReadState(plain));
        Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.LoadModel(Path.Combine(_dir, "missing")));
    }

    private static Emotion.Torch.Losses.LossSpec LossSpecDefault() => Emotion.Torch.Losses.LossSpec.DefaultFor(EmotionTask.Combined);

    [Fact]
    public void SavingReplacesAtomicallyAndAnInterruptedSwapIsRecovered()
    {
        string last = TrainedCheckpoint();
        var state = TrainingCheckpoint.ReadState(last);
        using var model = TrainingCheckpoint.LoadModel(last);
        string target = Path.Combine(_dir, "manual");
        TrainingCheckpoint.Save(target, model, state with { Epoch = 5 }, null);
        TrainingCheckpoint.Save(target, model, state with { Epoch = 6 }, null);
        Assert.Equal(6, TrainingCheckpoint.ReadState(target).Epoch);
        Assert.Empty(Directory.GetDirectories(_dir, ".manual.*"));
        Assert.False(TrainingCheckpoint.ReadState(target).HasOptimizerState);

        // A crash between "rename old away" and "rename new in" leaves only the hidden copy: loads still find it.
        Directory.Move(target, Path.Combine(_dir, ".manual.0123.old"));
        Assert.Equal(6, TrainingCheckpoint.ReadState(target).Epoch);
        using (var recovered = TrainingCheckpoint.LoadModel(target)) Assert.Equal(model.Options, recovered.Options);
        // The next save puts the checkpoint back in place and removes the leftover.
        TrainingCheckpoint.Save(target, model, state with { Epoch = 7 }, null);
        Assert.Equal(7, TrainingCheckpoint.ReadState(target).Epoch);
        Assert.Empty(Directory.GetDirectories(_dir, ".manual.*"));
    }

    [Fact]
    public void TruncatedOrCorruptFilesGiveClearErrors()
    {
        string last = TrainedCheckpoint();
        string weights = Path.Combine(last, EmotionModel.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<Exception>(() => TrainingCheckpoint.LoadModel(last));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains(EmotionModel.WeightsFileName, e.Message);
        File.WriteAllBytes(weights, bytes);

        string optimizer = Path.Combine(last, TrainingCheckpoint.OptimizerFileName);
        var optimizerBytes = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, optimizerBytes[..(optimizerBytes.Length / 3)]);
        var o = Assert.Throws<InvalidDataException>(() => Trainer.Resume(last).Dispose());
        Assert.Contains(TrainingCheckpoint.OptimizerFileName, o.Message);
        File.WriteAllBytes(optimizer, optimizerBytes);

        string state = Path.Combine(last, TrainingCheckpoint.StateFileName);
        File.WriteAllText(state, File.ReadAllText(state)[..40]);
        var f = Assert.Throws<FormatException>(() => TrainingCheckpoint.ReadState(last));
        Assert.Contains(TrainingCheckpoint.StateFileName, f.Message);

        Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.ReadState(Path.Combine(_dir, "nowhere")));
    }

    [Fact]
    public void RestoringACheckpointOfAnotherArchitectureIsRefusedWithBothDescriptions()
    {
        string last = TrainedCheckpoint(hidden: 8);
        using var other = SyntheticBatches.Model(EmotionTask.Combined, size: 16, frames: 2, hidden: 12, width: 0.25);
        using var trainer = new Trainer(other, new TrainerOptions { MonitorMetric = MonitorMetric.Loss });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.RestoreCheckpoint(last));
        Assert.Contains("another architecture", e.Message);
        Assert.Contains("hidden 8", e.Message);
        Assert.Contains("hidden 12", e.Message);

        // The weights alone (same keys, other shapes) are refused by the model's loader as well.
        Assert.ThrowsAny<InvalidOperationException>(() => other.LoadWeights(Path.Combine(last, EmotionModel.WeightsFileName)));

        // The same architecture restores: counters come back.
        using var same = SyntheticBatches.Model(EmotionTask.Combined, size: 16, frames: 2, hidden: 8, width: 0.25, seed: 99);
        using var sameTrainer = new Trainer(same, new TrainerOptions { MonitorMetric = MonitorMetric.Loss });
        sameTrainer.RestoreCheckpoint(last);
        Assert.Equal(2, sameTrainer.GlobalStep);
        Assert.Equal(1, sameTrainer.CompletedEpochs);
    }
}
