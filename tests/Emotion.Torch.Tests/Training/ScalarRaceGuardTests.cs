using System.Runtime;
using Emotion.Core;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Training;

/// <summary>
/// Training and evaluation steps run inside a no-GC region, so no finalizer can free a TorchSharp Scalar that libtorch is still
/// reading (the cause of the sporadic "Unknown scalar type" failures; docs/troubleshooting.md). Serial: a parallel trainer could
/// hold the process-wide region, and then this one runs unguarded by design.
/// </summary>
[Collection(SerialCollection.Name)]
public class ScalarRaceGuardTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void EveryTrainingAndEvaluationForwardPassRunsWithTheCollectorHeldOffAndTheRegionEndsAfterwards()
    {
        var batches = SyntheticBatches.Create(batches: 3, batchSize: 2, frames: 3, size: 16, seed: 2);
        using var model = SyntheticBatches.Model(EmotionTask.Combined, size: 16, frames: 3, width: 0.25, hidden: 8);
        var modes = new List<(bool Training, GCLatencyMode Mode)>();
        // Built before the hook: its convolution check runs one forward pass of zeros outside any step (Trainer.ConvolutionCheck).
        using var trainer = new Trainer(model, new TrainerOptions { Epochs = 2, LearningRate = 1e-3, Seed = 3, MonitorMetric = MonitorMetric.Loss });
        var hook = model.Backbone.register_forward_hook((module, input, output) =>
        {
            modes.Add((module.training, GCSettings.LatencyMode));
            return output;
        });
        try
        {
            trainer.Fit(BatchSource.FromBatches(batches), BatchSource.FromBatches(batches));
        }
        finally
        {
            hook.remove();
        }
        Assert.Equal(2 * 3, modes.Count(m => m.Training));
        // Validation streams (the evaluator's default): one forward pass per window (row) of each batch, 3 batches of 2, each epoch.
        Assert.Equal(2 * 3 * 2, modes.Count(m => !m.Training));
        Assert.All(modes, m => Assert.Equal(GCLatencyMode.NoGCRegion, m.Mode));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
