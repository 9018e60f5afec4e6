using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Sequences;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Models;

namespace Emotion.Torch.Inference;

/// <summary>
/// Runs a TorchSharp <see cref="EmotionModel"/> over the frames of one video as a stream, chunk by chunk, carrying the
/// recurrent state from one chunk to the next: the same per-frame predictions as one forward pass over each run of
/// consecutive frames (and as <c>Emotion.Onnx.EmotionStream</c> on the exported model), with memory bounded by the chunk
/// size. The gap rule (<see cref="FrameGaps"/>) applies: a frame whose number is not its predecessor's + 1 starts a new
/// sequence from a zero state, so a stream over frames 1..5 and 9..12 gives exactly what two streams over 1..5 and 9..12
/// give.
/// </summary>
/// <remarks>
/// A bidirectional head cannot carry state forward, so each chunk is then predicted on its own (the first and last frames of
/// a chunk see less context). A sequence-to-one head is run one frame at a time with the state carried, so that each frame
/// gets the output for the sequence so far (as the ONNX predictor does). <c>ModelEvaluator</c>'s streaming mode runs the
/// same code, so its per-frame outputs equal this predictor's at the same chunk size.
/// </remarks>
public sealed class FrameSequencePredictor
{
    /// <summary>The default number of frames per forward pass (also the default chunk of streaming evaluation).</summary>
    public const int DefaultChunkSize = 32;

    private readonly EmotionModel _model;
    private readonly FramePipeline _pipeline;

    /// <summary>Creates a predictor over <paramref name="model"/> (not owned) with frames resized and normalised as the model expects.</summary>
    /// <param name="model">The model.</param>
    /// <param name="chunkSize">Frames per forward pass; the state is carried across chunks, so it changes memory and speed, not the outputs (beyond float rounding).</param>
    /// <exception cref="ArgumentOutOfRangeException">The chunk size is not positive.</exception>
    public FrameSequencePredictor(EmotionModel model, int chunkSize = DefaultChunkSize)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ChunkSize = chunkSize;
        var info = model.Info;
        _pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
    }

    /// <summary>Frames per forward pass.</summary>
    public int ChunkSize { get; }

    /// <summary>
    /// Predicts every frame, in order, lazily: frames are decoded and predicted one chunk at a time. A chunk ends early at a
    /// gap in the frame numbers, and the recurrent state is reset there.
    /// </summary>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded (the message names it).</exception>
    public IEnumerable<FramePrediction> Predict(IEnumerable<NumberedFrame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return Iterate(frames, cancellationToken);
    }

    private IEnumerable<FramePrediction> Iterate(IEnumerable<NumberedFrame> frames, CancellationToken cancellationToken)
    {
        var categories = _model.Info.Categories;
        int classes = categories.Length;
        bool wasTraining = _model.training;
        _model.eval();
        var stream = new ModelStream(_model);
        var chunk = new List<NumberedFrame>(ChunkSize);
        try
        {
            foreach (var frame in frames)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool gap = chunk.Count > 0 && FrameGaps.BreaksSequence(chunk[^1].Number, frame.Number);
                if (gap || chunk.Count == ChunkSize)
                {
                    foreach (var p in Run(chunk)) yield return p;
                    if (gap) stream.Reset();
                    chunk.Clear();
                }
                chunk.Add(frame);
            }
            foreach (var p in Run(chunk)) yield return p;
        }
        finally
        {
            stream.Dispose();
            if (wasTraining) _model.train();
        }

        List<FramePrediction> Run(List<NumberedFrame> pending)
        {
            var predictions = new List<FramePrediction>(pending.Count);
            if (pending.Count == 0) return predictions;
            var batch = new SequenceBatch(1, pending.Count, _model.Info.FrameSize, _model.Info.FrameSize);
            for (int t = 0; t < pending.Count; t++)
                _pipeline.ProcessForEvaluation(pending[t].Source, batch.Frame(0, t));
            var output = stream.Run(batch.Frames, pending.Count);
            for (int t = 0; t < pending.Count; t++)
            {
                var p = output.Probabilities is null ? ImmutableArray<float>.Empty : ImmutableArray.Create(output.Probabilities, t * classes, classes);
                predictions.Add(new FramePrediction(pending[t].Number, p,
                    output.ValenceArousal is null ? null : output.ValenceArousal[2 * t],
                    output.ValenceArousal is null ? null : output.ValenceArousal[2 * t + 1]));
            }
            return predictions;
        }
    }
}
