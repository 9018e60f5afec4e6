using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

namespace Emotion.Cli.Workflows;

/// <summary>How a dataset becomes batches for a model: window stride, batch size, loader workers, augmentation.</summary>
/// <param name="BatchSize">Sequences per batch.</param>
/// <param name="Stride">Window stride in frames for training (null: half the sequence length, so windows overlap; with stateful
/// training the sequence length, so each window starts where the previous one ended).</param>
/// <param name="Augment">Random crop, flip and colour jitter during training.</param>
/// <param name="Workers">Background decoding workers (null: the loader's default).</param>
/// <param name="CacheBytes">Cache of decoded, resized frames (bytes); null for no cache. Small datasets fit entirely.</param>
public sealed record DataPlan(int BatchSize = 8, int? Stride = null, bool Augment = true, int? Workers = null, long? CacheBytes = 512L << 20);

/// <summary>
/// Trains a model on a dataset and evaluates it: the wiring from <see cref="EmotionDataset"/> through windows, the background
/// loader and <see cref="Trainer"/> to <see cref="ModelEvaluator"/>, shared by <c>emotion demo</c> and <c>emotion train</c>.
/// </summary>
public static class TrainingWorkflow
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="validation"/> every epoch,
    /// then reloads the best checkpoint's weights (when a validation set and an output folder are given).</summary>
    public static TrainingResult Train(EmotionModel model, EmotionDataset train, EmotionDataset? validation, TrainerOptions options,
        DataPlan data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        using var trainer = new Trainer(model, options, progress);
        return Train(trainer, train, validation, data, cancellationToken);
    }

    /// <summary>Continues <paramref name="trainer"/> (new or resumed: <see cref="Trainer.Resume"/>) on <paramref name="train"/>,
    /// validating on <paramref name="validation"/> every epoch, then reloads the best checkpoint's weights into its model
    /// (when a validation set and an output folder are given). The batches of epoch e depend only on (seed, e), so a resumed
    /// run sees the batches the uninterrupted run would have seen.</summary>
    public static TrainingResult Train(Trainer trainer, EmotionDataset train, EmotionDataset? validation, DataPlan data, CancellationToken cancellationToken)
    {
        var model = trainer.Model;
        var options = trainer.Options;
        var info = model.Info;
        var pipeline = new FramePipeline(data.Augment
            ? FrameTransformOptions.ForTraining(info.FrameSize, info.Normalization)
            : new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
        // Stateful training (truncated BPTT) walks each segment window after window: consecutive, non-overlapping windows.
        bool stateful = options.Stateful;
        var windows = SequenceWindower.Windows(train, new WindowOptions
        {
            Length = info.SequenceLength,
            Stride = data.Stride ?? (stateful ? info.SequenceLength : Math.Max(1, info.SequenceLength / 2)),
        });
        if (windows.Count == 0)
            throw new CommandFailedException($"The training set '{train.Name}' has no frames to train on.");
        using var trainLoader = new SequenceBatchLoader(windows, pipeline, new SequenceLoaderOptions
        {
            BatchSize = data.BatchSize,
            Seed = options.Seed ?? 0,
            Augment = data.Augment,
            Workers = data.Workers ?? new SequenceLoaderOptions().Workers,
            CacheCapacityBytes = data.CacheBytes,
            Stateful = stateful,
        });
        using var validLoader = validation is null ? null : CreateEvaluationLoader(validation, info.SequenceLength, data, info.FrameSize, info.Normalization);

        var result = trainer.Fit(BatchSource.FromLoader(trainLoader), validLoader is null ? null : BatchSource.FromLoader(validLoader), cancellationToken);
        if (result.BestCheckpoint is { } best && validation is not null)
            model.LoadWeights(Path.Combine(TrainingCheckpoint.Resolve(best), EmotionModel.WeightsFileName));
        return result;
    }

    /// <summary>
    /// Evaluates a model on every frame of a dataset, no augmentation: streamed as deployed (each video whole, the state
    /// carried and reset at gaps; the default) or windowed (windows of the model's sequence length without overlap, each from
    /// a zero state).
    /// </summary>
    public static EvaluationResult Evaluate(EmotionModel model, EmotionDataset dataset, DataPlan data, CancellationToken cancellationToken,
        EvaluationMode mode = EvaluationMode.Streaming) =>
        ModelEvaluator.Evaluate(model, dataset, new EvaluationOptions { Mode = mode, BatchSize = data.BatchSize, Workers = data.Workers },
            loss: null, cancellationToken);

    private static SequenceBatchLoader CreateEvaluationLoader(EmotionDataset dataset, int sequenceLength, DataPlan data, int size, Core.Normalization normalization) =>
        SequenceBatchLoader.ForEvaluation(dataset,
            new FramePipeline(new FrameTransformOptions { Width = size, Height = size, Normalization = normalization }),
            sequenceLength, data.BatchSize, data.Workers);
}
