using Emotion.Torch.Inference;

namespace Emotion.Onnx.Export;

/// <summary>Settings of a <see cref="CheckpointPredictor"/>.</summary>
public sealed record CheckpointPredictorOptions
{
    /// <summary>The default options: <see cref="InferenceBackend.Auto"/>, chunks of <see cref="FrameSequencePredictor.DefaultChunkSize"/> frames.</summary>
    public static CheckpointPredictorOptions Default { get; } = new();

    /// <summary>Which engine runs the model (default <see cref="InferenceBackend.Auto"/>).</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Auto;

    /// <summary>
    /// Frames per forward pass on either engine (default <see cref="FrameSequencePredictor.DefaultChunkSize"/>). The
    /// recurrent state is carried across chunks, so it changes memory and speed, not the outputs (beyond float rounding);
    /// for a bidirectional head, whose chunks are independent, both engines cut the chunks at the same frames.
    /// </summary>
    public int ChunkSize { get; init; } = FrameSequencePredictor.DefaultChunkSize;

    /// <summary>
    /// ONNX Runtime settings (execution provider, threads, optimisation level, smoothing) when the model runs there (null for
    /// the defaults). <see cref="EmotionPredictorOptions.ResizeFrames"/> is set to true (frames are resized to the model's
    /// size as TorchSharp's pipeline does) and <see cref="EmotionPredictorOptions.Descriptor"/> must be null (the export
    /// carries the model's metadata). Smoothing, if set, applies to the ONNX Runtime path only.
    /// </summary>
    public EmotionPredictorOptions? Onnx { get; init; }

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public CheckpointPredictorOptions Validate()
    {
        if (!Enum.IsDefined(Backend)) throw new ArgumentException($"Unknown inference backend {Backend}; expected Auto, Torch or OnnxRuntime.", nameof(Backend));
        if (ChunkSize < 1) throw new ArgumentException($"ChunkSize is {ChunkSize}; expected at least 1.", nameof(ChunkSize));
        if (Onnx is { } onnx)
        {
            if (onnx.Descriptor is not null)
                throw new ArgumentException("Onnx.Descriptor must be null: the in-memory export carries the model's own metadata.", nameof(Onnx));
            try
            {
                onnx.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Invalid ONNX Runtime settings: {e.Message}", nameof(Onnx), e);
            }
        }
        return this;
    }
}
