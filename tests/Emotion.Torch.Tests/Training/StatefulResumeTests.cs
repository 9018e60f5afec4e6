using Emotion.Testing;
using Emotion.Core;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

namespace Emotion.Torch.Tests.Training;

/// <summary>A stateful run resumed from an epoch's checkpoint equals the uninterrupted run: the state is zero at every epoch start.</summary>
[Collection(SerialCollection.Name)]
public class StatefulResumeTests
{
    private static TrainerOptions Options(string output) => new()
    {
        LearningRate = 3e-3,
        Schedule = LearningRateSchedule.Cosine(minFactor: 0.05),
        Epochs = 3,
        Seed = 8,
        MonitorMetric = "loss",
        Stateful = true,
        OutputDirectory = output,
    };

    private static EmotionModel NewModel() => EmotionModel.Create().WithInput(3, 16).WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn(0.25))
        .WithRecurrentHead(HeadSpec.Lstm(hidden: 8)).WithOutputDropout(0.3).ForTask(EmotionTask.Combined).WithSeed(4).Build();

    /// <summary>Four batches of two lanes; every batch after the first continues both rows.</summary>
    private static BatchSource Data()
    {
        var batches = SyntheticBatches.Create(batches: 4, batchSize: 2, frames: 3, size: 16, seed: 5);
        foreach (var batch in batches.Skip(1)) Array.Fill(batch.ContinuesState, true);
        return BatchSource.FromBatches(batches);
    }

    [Fact]
    public void AStatefulRunResumedAfterEpoch1EqualsTheUninterruptedRun()
    {
        string full = TempFolder.Create("emotion-torch-"), cut = TempFolder.Create("emotion-torch-");
        try
        {
            using var model = NewModel();
            TrainingResult expected;
            using (var trainer = new Trainer(model, Options(full)))
                expected = trainer.Fit(Data());

            using var cutModel = NewModel();
            using var cts = new CancellationTokenSource();
            var stopper = new SyntheticBatches.Recorder { OnReport = r => { if (r.Phase == TrainingPhase.EpochCompleted && r.Epoch == 1) cts.Cancel(); } };
            using (var trainer = new Trainer(cutModel, Options(cut), stopper))
                Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Data(), cancellationToken: cts.Token));

            using var resumed = Trainer.Resume(cut);
            Assert.True(resumed.Options.Stateful); // stored in the checkpoint
            Assert.Equal(1, resumed.CompletedEpochs);
            var result = resumed.Fit(Data());
            Assert.Equal(ResumeTests.Values(expected.History), ResumeTests.Values(result.History));
            Assert.Equal(0.0, ResumeTests.MaxDifference(model, resumed.Model));
        }
        finally
        {
            Directory.Delete(full, recursive: true);
            Directory.Delete(cut, recursive: true);
        }
    }
}
