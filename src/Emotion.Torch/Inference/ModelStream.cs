using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Inference;

/// <summary>
/// One stream of frames through an <see cref="EmotionModel"/>, chunk by chunk: each chunk of consecutive frames
/// <c>[1, n, 3, S, S]</c> continues the recurrent state left by the previous one (when the head can stream: not for a
/// bidirectional head, whose chunks are then independent), until <see cref="Reset"/> zeroes it. A sequence-to-one head is
/// stepped one frame at a time with the state carried, so that every frame gets the output for the stream so far, as the
/// ONNX predictor does.
/// </summary>
/// <remarks>
/// Shared by <see cref="FrameSequencePredictor"/> and the streaming mode of <c>ModelEvaluator</c>, so that both run the
/// same tensors through the same calls and give identical numbers. The caller decides where a sequence breaks
/// (<see cref="Emotion.Core.Sequences.FrameGaps"/>) and calls <see cref="Reset"/> there. The caller puts the model in
/// evaluation mode; <see cref="Run"/> disables gradients itself.
/// </remarks>
internal sealed class ModelStream : IDisposable
{
    private readonly EmotionModel _model;
    private readonly bool _perFrame;
    private RecurrentState? _state;

    public ModelStream(EmotionModel model)
    {
        _model = model;
        Carries = model.Head.CanStream;
        _perFrame = model.Options.Head.Output == SequenceOutput.PerFrame;
    }

    /// <summary>Whether the recurrent state is carried from one chunk to the next (false for a bidirectional head).</summary>
    public bool Carries { get; }

    /// <summary>Starts a new sequence: the next chunk begins from a zero state.</summary>
    public void Reset()
    {
        _state?.Dispose();
        _state = null;
    }

    /// <summary>
    /// Runs <paramref name="count"/> frames (<paramref name="frames"/> holds exactly <c>count x 3 x S x S</c> normalised
    /// floats) as the next chunk of the stream and returns their per-frame outputs on the host.
    /// </summary>
    public ChunkOutput Run(float[] frames, int count)
    {
        int size = _model.Options.FrameSize;
        using var noCollection = ScalarRaceGuard.Enter();
        using var noGrad = no_grad();
        // No dispose scope here: the state Step keeps must outlive this call (Step's own scope moves it out to the caller's).
        using var flat = torch.from_array(frames);
        using var view = flat.view(1, count, 3, size, size);
        using var moved = _model.Device.type == DeviceType.CPU ? null : view.to(_model.Device);
        var input = moved ?? view;
        if (_perFrame) return Step(input);

        var parts = new List<ChunkOutput>(count);
        for (int t = 0; t < count; t++)
        {
            using var frame = input.narrow(1, t, 1);
            parts.Add(Step(frame));
        }
        return ChunkOutput.Concat(parts);
    }

    private ChunkOutput Step(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var output = _model.Forward(input, Carries ? _state : null);
        var result = new ChunkOutput(
            output.Logits?.cpu().data<float>().ToArray(),
            output.Logits?.softmax(-1).cpu().data<float>().ToArray(),
            output.ValenceArousal?.cpu().data<float>().ToArray());
        if (Carries && output.State is { } next)
        {
            var kept = next.Detach().MoveToOuterDisposeScope();
            _state?.Dispose();
            _state = kept;
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => Reset();
}
