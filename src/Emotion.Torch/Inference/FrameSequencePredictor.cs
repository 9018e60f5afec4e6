using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Inference;

/// <summary>
/// Runs a TorchSharp <see cref="EmotionModel"/> over the frames of one video as a single sequence, chunk by chunk, carrying
/// the recurrent state from one chunk to the next: the same per-frame predictions as one forward pass over the whole video
/// (and as <c>Emotion.Onnx.EmotionStream</c> on the exported model), with memory bounded by the chunk size.
/// </summary>
/// <remarks>
/// A bidirectional head cannot carry state forward, so each chunk is then predicted on its own (the first and last frames of
/// a chunk see less context). Sequence-to-one heads produce no per-frame output and are rejected.
/// </remarks>
public sealed class FrameSequencePredictor
{
    private readonly EmotionModel _model;
    private readonly FramePipeline _pipeline;
    private readonly int _chunkSize;

    /// <summary>Creates a predictor over <paramref name="model"/> (not owned) with frames resized and normalised as the model expects.</summary>
    /// <exception cref="NotSupportedException">The model's head outputs one row per sequence, not per frame.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The chunk size is not positive.</exception>
    public FrameSequencePredictor(EmotionModel model, int chunkSize = 16)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        if (model.Options.Head.Output != SequenceOutput.PerFrame)
            throw new NotSupportedException($"The model's head outputs one prediction per sequence ({model.Options.Head.Output}); per-frame prediction needs a per-frame head.");
        _chunkSize = chunkSize;
        var info = model.Info;
        _pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
    }

    /// <summary>Predicts every frame, in order, lazily: frames are decoded and predicted one chunk at a time.</summary>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded (the message names it).</exception>
    public IEnumerable<FramePrediction> Predict(IEnumerable<NumberedFrame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        bool carry = _model.Head.CanStream;
        var categories = _model.Info.Categories;
        bool wasTraining = _model.training;
        _model.eval();
        RecurrentState? state = null;
        try
        {
            foreach (var chunk in frames.Chunk(_chunkSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = new SequenceBatch(1, chunk.Length, _model.Info.FrameSize, _model.Info.FrameSize);
                for (int t = 0; t < chunk.Length; t++)
                    _pipeline.ProcessForEvaluation(chunk[t].Source, batch.Frame(0, t));

                float[]? probabilities;
                float[]? valenceArousal;
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    using var input = SequenceBatchTensors.Frames(batch, _model.Device);
                    using var output = _model.Forward(input, carry ? state : null);
                    probabilities = output.Logits is { } logits ? logits.softmax(-1).cpu().data<float>().ToArray() : null;
                    valenceArousal = output.ValenceArousal?.cpu().data<float>().ToArray();
                    if (carry && output.State is { } next)
                    {
                        state?.Dispose();
                        state = next.Detach().MoveToOuterDisposeScope();
                    }
                }

                for (int t = 0; t < chunk.Length; t++)
                {
                    var p = probabilities is null ? ImmutableArray<float>.Empty
                        : ImmutableArray.Create(probabilities, t * categories.Length, categories.Length);
                    yield return new FramePrediction(chunk[t].Number, p,
                        valenceArousal is null ? null : valenceArousal[2 * t],
                        valenceArousal is null ? null : valenceArousal[2 * t + 1]);
                }
            }
        }
        finally
        {
            state?.Dispose();
            if (wasTraining) _model.train();
        }
    }
}
