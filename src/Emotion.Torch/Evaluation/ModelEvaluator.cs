using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Metrics;
using Emotion.Core.Sequences;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Heads;
using Emotion.Torch.Inference;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Evaluation;

/// <summary>
/// Runs an <see cref="EmotionModel"/> over videos in evaluation mode without gradients and produces the metrics report
/// (Emotion.Core's <see cref="EmotionMetricsAccumulator"/>) and the per-frame predictions, each video frame once.
/// </summary>
/// <remarks>
/// <para><b>Streaming</b> (<see cref="EvaluationMode.Streaming"/>, the default) scores the model as it is deployed: each
/// video is streamed whole, in chunks of <see cref="EvaluationOptions.ChunkSize"/> frames, with the recurrent state carried
/// from chunk to chunk and from one window of the batches to the next window of the same video, and reset where the frame
/// numbers have a gap (<see cref="FrameGaps.BreaksSequence"/>). It runs the same code as <see cref="FrameSequencePredictor"/>,
/// so at the same chunk size the per-frame outputs are identical. The batches must hold each video's frames once and in
/// time order (the windows of <see cref="SequenceBatchLoader.ForEvaluation"/>, or of <see cref="Evaluate(EmotionModel, EmotionDataset, EvaluationOptions?, EmotionLoss?, CancellationToken)"/>);
/// videos may follow one another in any order. A row without a video id, or with real frames without a number (-1), is
/// evaluated on its own from a zero state.</para>
/// <para><b>Windowed</b> (<see cref="EvaluationMode.Windowed"/>) predicts each window from a zero state, as in training.
/// Frames are identified by (video id, frame number); when windows overlap, a frame is predicted several times and the
/// predictions are merged by <see cref="EvaluationOptions.Overlap"/> before scoring, so every frame counts once in the
/// metrics. Sequence-to-one models predict the last real frame of each window only (streaming gives every frame the
/// output for its sequence so far).</para>
/// <para>The loss, when given, is the mean of the batch losses (every batch weighs the same), computed on the batch's layout;
/// when streaming, from the streamed outputs.</para>
/// </remarks>
public static class ModelEvaluator
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="batches"/>.</summary>
    /// <param name="model">The model (its training/eval mode is restored afterwards).</param>
    /// <param name="batches">The batches (labels are used for the metrics where present).</param>
    /// <param name="options">Mode, chunk size, overlap policy and whether to keep predictions (defaults when null).</param>
    /// <param name="loss">A loss to average over the batches, or null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">A batch has another frame size than the model; in streaming mode, a video's frames
    /// come twice or out of time order (the message names the video and frames).</exception>
    public static EvaluationResult Evaluate(EmotionModel model, IEnumerable<SequenceBatch> batches, EvaluationOptions? options = null,
        EmotionLoss? loss = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        options = (options ?? new EvaluationOptions()).Validate();
        var task = model.Options.Task;
        int classes = task.HasCategories() ? model.Options.ClassCount : EmotionCategories.BasicCount;
        var collector = new FrameCollector(options.Overlap, classes);
        var lossSums = new LossAverager();
        bool wasTraining = model.training;
        model.eval();
        long sequences;
        try
        {
            sequences = options.Mode == EvaluationMode.Streaming
                ? Stream(model, batches, options.ChunkSize, collector, loss, lossSums, cancellationToken)
                : Windows(model, batches, collector, loss, lossSums, cancellationToken);
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
            Mode = options.Mode,
            Categories = task.HasCategories() ? model.Options.Categories : [],
            Metrics = accumulator.Compute(),
            Loss = loss is null ? null : lossSums.Mean(),
            Sequences = sequences,
            Frames = collector.Count,
            Predictions = predictions,
        };
    }

    /// <summary>
    /// Evaluates <paramref name="model"/> on every frame of <paramref name="dataset"/>, preparing the frames as the model
    /// expects (its frame size and normalisation, no augmentation) on background threads. Streaming: windows of
    /// <see cref="EvaluationOptions.ChunkSize"/> frames within each run of consecutive frame numbers, streamed in order;
    /// windowed: non-overlapping windows of <see cref="EvaluationOptions.WindowLength"/> (default: the model's sequence
    /// length) frames, <see cref="EvaluationOptions.BatchSize"/> per batch.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset has no frames.</exception>
    /// <exception cref="Preprocessing.Frames.FrameDecodeException">A frame cannot be decoded (the message names it).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The two overloads differ in a required parameter's type (batches or a dataset), so no call is ambiguous.")]
    public static EvaluationResult Evaluate(EmotionModel model, EmotionDataset dataset, EvaluationOptions? options = null,
        EmotionLoss? loss = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        options = (options ?? new EvaluationOptions()).Validate();
        if (dataset.FrameCount == 0) throw new ArgumentException($"Dataset '{dataset.Name}' has no frames to evaluate.", nameof(dataset));
        var info = model.Info;
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
        using var loader = options.Mode == EvaluationMode.Streaming
            ? new SequenceBatchLoader(SequenceWindower.Windows(dataset, WindowOptions.ForEvaluation(options.ChunkSize)), pipeline,
                SequenceLoaderOptions.ForEvaluation(1, options.Workers))
            : SequenceBatchLoader.ForEvaluation(dataset, pipeline, options.WindowLength ?? info.SequenceLength, options.BatchSize, options.Workers);
        return Evaluate(model, loader.ReadEpoch(0, cancellationToken), options, loss, cancellationToken);
    }

    private static long Windows(EmotionModel model, IEnumerable<SequenceBatch> batches, FrameCollector collector, EmotionLoss? loss,
        LossAverager lossSums, CancellationToken cancellationToken)
    {
        var mode = model.Options.Head.Kind == RecurrentKind.None ? FrameCollector.ContextMode.None
            : model.Options.Head.Bidirectional ? FrameCollector.ContextMode.Bidirectional : FrameCollector.ContextMode.Forward;
        var device = model.Device;
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
        return collector.Sequences;
    }

    // Streams every video; returns the number of sequences streamed (runs of consecutive frames, each from a zero state).
    private static long Stream(EmotionModel model, IEnumerable<SequenceBatch> batches, int chunkSize, FrameCollector collector,
        EmotionLoss? loss, LossAverager lossSums, CancellationToken cancellationToken)
    {
        using var streamer = new Streamer(model, chunkSize, collector, withLoss: loss is not null);
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckSize(batch, model);
            var outputs = streamer.StreamBatch(batch);
            if (loss is not null) AddLoss(model, batch, outputs.Steps, collector.Classes, outputs.Logits, outputs.ValenceArousal, loss, lossSums);
        }
        return streamer.Sequences;
    }

    private static void AddLoss(EmotionModel model, SequenceBatch batch, int steps, int classes, float[]? logits, float[]? valenceArousal,
        EmotionLoss loss, LossAverager lossSums)
    {
        var device = model.Device;
        using var noGrad = torch.no_grad();
        using var noCollection = ScalarRaceGuard.Enter();
        using var scope = NewDisposeScope();
        long b = batch.BatchSize;
        var logitTensor = logits is null ? null : tensor(logits, [b, steps, classes], device: device);
        var vaTensor = valenceArousal is null ? null : tensor(valenceArousal, [b, steps, 2], device: device);
        using var output = new EmotionOutput(zeros([b, steps, 0], device: device), logitTensor, vaTensor);
        using var targets = EmotionTargets.FromBatch(batch, device, loss.ClassCount);
        using var result = loss.Compute(output, targets);
        lossSums.Add(result.ToValues());
    }

    private static void CheckSize(SequenceBatch batch, EmotionModel model)
    {
        int s = model.Options.FrameSize;
        if (batch.Height != s || batch.Width != s)
            throw new ArgumentException(
                $"A batch has {batch.Width}x{batch.Height} frames but the model takes {s}x{s}; prepare the frames at the model's size (EmotionModel.Info.FrameSize).",
                nameof(batch));
    }

    /// <summary>The stream of one video: its recurrent state and the number of the last frame streamed.</summary>
    private sealed class VideoStream(ModelStream model)
    {
        public ModelStream Model { get; } = model;

        public int? Last { get; set; }
    }

    /// <summary>The streamed outputs of a batch in its layout, for the loss: <c>[B, T or 1, C]</c> logits and <c>[B, T or 1, 2]</c> valence/arousal (null when not needed).</summary>
    private sealed record BatchOutputs(int Steps, float[]? Logits, float[]? ValenceArousal);

    /// <summary>A batch row being streamed: its last real frame, its video (null when streamed on its own), its stream and the batch's outputs.</summary>
    private readonly record struct RowContext(SequenceBatch Batch, int Row, int Last, string? Video, VideoStream Stream, BatchOutputs Outputs);

    /// <summary>
    /// Streams the rows of batches through one <see cref="ModelStream"/> per video (see the remarks of <see cref="ModelEvaluator"/>):
    /// in chunks of at most <c>chunkSize</c> frames, reset where a sequence starts, each frame's outputs to the collector.
    /// </summary>
    private sealed class Streamer(EmotionModel model, int chunkSize, FrameCollector collector, bool withLoss) : IDisposable
    {
        private readonly Dictionary<string, VideoStream> _streams = new(StringComparer.Ordinal);
        private readonly List<int> _run = new(chunkSize);
        private readonly bool _perFrame = model.Options.Head.Output == SequenceOutput.PerFrame;
        private readonly bool _categories = model.Options.Task.HasCategories();
        private readonly bool _valenceArousal = model.Options.Task.HasValenceArousal();

        /// <summary>Sequences streamed so far (runs of consecutive frames, each from a zero state).</summary>
        public long Sequences { get; private set; }

        public BatchOutputs StreamBatch(SequenceBatch batch)
        {
            int steps = _perFrame ? batch.SequenceLength : 1, classes = collector.Classes;
            var outputs = new BatchOutputs(steps,
                withLoss && _categories ? new float[batch.BatchSize * steps * classes] : null,
                withLoss && _valenceArousal ? new float[batch.BatchSize * steps * 2] : null);
            for (int b = 0; b < batch.BatchSize; b++) StreamRow(batch, b, outputs);
            return outputs;
        }

        public void Dispose()
        {
            foreach (var stream in _streams.Values) stream.Model.Dispose();
        }

        private void StreamRow(SequenceBatch batch, int b, BatchOutputs outputs)
        {
            var (last, numbered) = LastRealFrame(batch, b);
            if (last < 0) return;
            string video = batch.VideoIds[b] ?? string.Empty;
            bool alone = !numbered || video.Length == 0;
            var stream = alone ? new VideoStream(new ModelStream(model)) : StreamOf(video);
            var row = new RowContext(batch, b, last, alone ? null : video, stream, outputs);
            try
            {
                _run.Clear();
                for (int f = 0; f <= last; f++)
                {
                    int i = b * batch.SequenceLength + f;
                    if (!batch.FrameMask[i]) continue;
                    int number = batch.FrameNumbers[i];
                    if (!alone && stream.Last is { } previous && number <= previous)
                        throw new ArgumentException(
                            $"Streaming evaluation needs each video's frames once and in time order, but frame {number} of video '{video}' comes after frame {previous}. " +
                            "Give the windows unshuffled and without overlap (SequenceBatchLoader.ForEvaluation), or use EvaluationMode.Windowed.", "batches");
                    bool starts = stream.Last is not { } p || numbered && FrameGaps.BreaksSequence(p, number);
                    if (starts || _run.Count == chunkSize) Flush(row);
                    if (starts)
                    {
                        stream.Model.Reset();
                        Sequences++;
                    }
                    _run.Add(f);
                    stream.Last = number;
                }
                Flush(row);
            }
            finally
            {
                if (alone) stream.Model.Dispose();
            }
        }

        /// <summary>Runs the frames gathered for <paramref name="row"/> as one chunk and hands each frame's outputs on.</summary>
        private void Flush(RowContext row)
        {
            if (_run.Count == 0) return;
            var batch = row.Batch;
            int b = row.Row, t = batch.SequenceLength, length = batch.FrameLength, n = _run.Count, classes = collector.Classes;
            var data = new float[n * length];
            for (int k = 0; k < n; k++) batch.Frame(b, _run[k]).CopyTo(data.AsSpan(k * length, length));
            var output = row.Stream.Model.Run(data, n);
            for (int k = 0; k < n; k++)
            {
                int f = _run[k], i = b * t + f;
                var p = output.Probabilities is null ? default : output.Probabilities.AsSpan(k * classes, classes);
                float v = output.ValenceArousal?[2 * k] ?? 0, a = output.ValenceArousal?[2 * k + 1] ?? 0;
                collector.AddFrame(row.Video, batch, b, f, p, v, a);
                int target = _perFrame ? i : f == row.Last ? b : -1;
                if (target < 0) continue;
                if (row.Outputs.Logits is { } logits && output.Logits is not null)
                    output.Logits.AsSpan(k * classes, classes).CopyTo(logits.AsSpan(target * classes, classes));
                if (row.Outputs.ValenceArousal is { } va && output.ValenceArousal is not null)
                {
                    va[2 * target] = v;
                    va[2 * target + 1] = a;
                }
            }
            _run.Clear();
        }

        private VideoStream StreamOf(string video)
        {
            if (!_streams.TryGetValue(video, out var stream)) _streams[video] = stream = new VideoStream(new ModelStream(model));
            return stream;
        }

        /// <summary>The row's last real frame (-1 when it has none) and whether every real frame has a number.</summary>
        private static (int Last, bool Numbered) LastRealFrame(SequenceBatch batch, int b)
        {
            int t = batch.SequenceLength, last = -1;
            bool numbered = true;
            for (int f = 0; f < t; f++)
            {
                if (!batch.FrameMask[b * t + f]) continue;
                last = f;
                if (batch.FrameNumbers[b * t + f] < 0) numbered = false;
            }
            return (last, numbered);
        }
    }
}
