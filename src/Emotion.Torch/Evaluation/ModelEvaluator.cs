using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Metrics;
using Emotion.Torch.Heads;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Evaluation;

/// <summary>
/// Runs an <see cref="EmotionModel"/> over batches in evaluation mode without gradients and produces the metrics report
/// (Emotion.Core's <see cref="EmotionMetricsAccumulator"/>) and the per-frame predictions, each video frame once.
/// </summary>
/// <remarks>
/// <para>Frames are identified by (video id, frame number). When windows overlap, a frame is predicted several times and the
/// predictions are merged by <see cref="EvaluationOptions.Overlap"/> before scoring, so every frame counts once in the
/// metrics. Sequence-to-one models predict the last real frame of each window only.</para>
/// <para>The loss, when given, is the mean of the batch losses (every batch weighs the same).</para>
/// </remarks>
public static class ModelEvaluator
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="batches"/>.</summary>
    /// <param name="model">The model (its training/eval mode is restored afterwards).</param>
    /// <param name="batches">The batches (labels are used for the metrics where present).</param>
    /// <param name="options">Overlap policy and whether to keep predictions (defaults when null).</param>
    /// <param name="loss">A loss to average over the batches, or null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static EvaluationResult Evaluate(EmotionModel model, IEnumerable<SequenceBatch> batches, EvaluationOptions? options = null,
        EmotionLoss? loss = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        options ??= new EvaluationOptions();
        var task = model.Options.Task;
        int classes = task.HasCategories() ? model.Options.ClassCount : EmotionCategories.BasicCount;
        var mode = model.Options.Head.Kind == RecurrentKind.None ? FrameCollector.ContextMode.None
            : model.Options.Head.Bidirectional ? FrameCollector.ContextMode.Bidirectional : FrameCollector.ContextMode.Forward;
        var collector = new FrameCollector(options.Overlap, classes);
        var lossSums = new LossAverager();
        var device = model.Device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckSize(batch, model);
                using var noCollection = ScalarRaceGuard.Enter();
                using var scope = NewDisposeScope();
                var frames = SequenceBatchTensors.Frames(batch, device);
                using var output = model.call(frames);
                if (loss is not null)
                {
                    using var targets = EmotionTargets.FromBatch(batch, device, loss.ClassCount);
                    using var result = loss.Compute(output, targets);
                    lossSums.Add(result.ToValues());
                }
                int steps = (int)(output.Logits ?? output.ValenceArousal ?? output.Features).shape[1];
                float[]? probabilities = output.Logits?.softmax(-1).cpu().data<float>().ToArray();
                float[]? valenceArousal = output.ValenceArousal?.cpu().data<float>().ToArray();
                collector.Add(batch, steps, probabilities, valenceArousal, mode);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        var accumulator = new EmotionMetricsAccumulator(classes);
        var predictions = collector.Finish(accumulator, task.HasCategories(), task.HasValenceArousal(), options.CollectPredictions);
        return new EvaluationResult
        {
            Task = task,
            Categories = task.HasCategories() ? model.Options.Categories : [],
            Metrics = accumulator.Compute(),
            Loss = loss is null ? null : lossSums.Mean(),
            Sequences = collector.Sequences,
            Frames = collector.Count,
            Predictions = predictions,
        };
    }

    private static void CheckSize(SequenceBatch batch, EmotionModel model)
    {
        int s = model.Options.FrameSize;
        if (batch.Height != s || batch.Width != s)
            throw new ArgumentException(
                $"A batch has {batch.Width}x{batch.Height} frames but the model takes {s}x{s}; prepare the frames at the model's size (EmotionModel.Info.FrameSize).",
                nameof(batch));
    }
}
