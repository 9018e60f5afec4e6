using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>
/// Runs the library's TorchSharp <see cref="EmotionModel"/> in evaluation mode without gradients on random normalised frames:
/// <c>B x T</c> frames per call (<see cref="InferenceMode.Batch"/>), or one frame per call continuing from the previous call's
/// recurrent state (<see cref="InferenceMode.Stream"/>; a bidirectional head starts each frame from zero).
/// </summary>
public sealed class TorchSharpRunner : IInferenceRunner
{
    private readonly EmotionModel model;
    private readonly EmotionModel? copy;
    private readonly Tensor input;
    private readonly bool carryState;
    private readonly ScalarType? autocast;
    private RecurrentState? state;

    /// <summary>Prepares the runner.</summary>
    /// <param name="model">The model (not owned; switched to evaluation mode). For CUDA a copy is made on the GPU.</param>
    /// <param name="device">CPU or CUDA.</param>
    /// <param name="mode">Batch or stream.</param>
    /// <param name="batchSize">Sequences per call (batch mode).</param>
    /// <param name="sequenceLength">Frames per sequence (batch mode).</param>
    /// <param name="autocast">Null for float32, or <see cref="ScalarType.BFloat16"/> / <see cref="ScalarType.Float16"/>: the backbone
    /// runs under autocast (<see cref="EmotionModel.AutocastBackbone"/>) in every call.</param>
    /// <exception cref="InvalidOperationException">The device is not available (the message says why).</exception>
    public TorchSharpRunner(EmotionModel model, BenchmarkDevice device, InferenceMode mode, int batchSize = 1, int sequenceLength = 1, ScalarType? autocast = null)
    {
        this.autocast = autocast;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        if (BackendAvailability.TorchSharpUnavailableReason(device) is { } reason)
            throw new InvalidOperationException($"TorchSharp cannot run on {device}: {reason}.");
        Device = device;
        Mode = mode;
        (BatchSize, SequenceLength) = mode == InferenceMode.Stream ? (1, 1) : (batchSize, sequenceLength);
        var target = device == BenchmarkDevice.Cuda ? CUDA : CPU;
        if (device == BenchmarkDevice.Cuda)
        {
            copy = EmotionModel.FromOptions(model.Options, target);
            copy.load_state_dict(model.state_dict());
        }
        this.model = copy ?? model;
        this.model.eval();
        carryState = mode == InferenceMode.Stream && this.model.Head.CanStream;
        int size = this.model.Info.FrameSize;
        using (NewDisposeScope())
            input = (rand([BatchSize, SequenceLength, 3, size, size], device: target) * 2 - 1).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public string Backend => BackendNames.TorchSharp;

    /// <inheritdoc />
    public BenchmarkDevice Device { get; }

    /// <inheritdoc />
    public InferenceMode Mode { get; }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public int SequenceLength { get; }

    /// <inheritdoc />
    public float Run()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var lower = autocast is { } type ? model.AutocastBackbone(type) : null;
        var output = model.Forward(input, carryState ? state : null);
        float value = (output.Logits is { } logits ? logits.softmax(-1) : output.ValenceArousal!).flatten()[0].ToSingle();
        if (carryState && output.State is { } next)
        {
            state?.Dispose();
            next.Hidden.DetachFromDisposeScope();
            next.Cell?.DetachFromDisposeScope();
            state = next;
        }
        return value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        state?.Dispose();
        input.Dispose();
        copy?.Dispose();
    }
}
