using Emotion.Torch.Inference;

namespace Emotion.Torch.Evaluation;

/// <summary>Options of <see cref="ModelEvaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Streaming (default: each video whole with the state carried, as deployed) or windowed (each window from a zero state).</summary>
    public EvaluationMode Mode { get; init; } = EvaluationMode.Streaming;

    /// <summary>Windowed mode: how predictions of the same frame from overlapping windows are merged (unused when streaming, where each frame is predicted once).</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.MostContext;

    /// <summary>Whether the result lists the per-frame predictions (false keeps only the metrics).</summary>
    public bool CollectPredictions { get; init; } = true;

    /// <summary>
    /// Streaming mode: frames per forward pass (a longer window of the batches is split into chunks of this size). The state
    /// is carried across chunks, so the chunk size changes speed and memory, not the outputs beyond float rounding; at the
    /// same chunk size the outputs equal <see cref="FrameSequencePredictor"/>'s exactly. When a dataset is evaluated, it is
    /// also the length of the windows the loader prepares.
    /// </summary>
    public int ChunkSize { get; init; } = FrameSequencePredictor.DefaultChunkSize;

    /// <summary>Windowed mode on a dataset: the window length (null: the model's sequence length, <c>EmotionModel.Info.SequenceLength</c>).</summary>
    public int? WindowLength { get; init; }

    /// <summary>Windowed mode on a dataset: windows per batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>When a dataset is evaluated: background threads preparing frames (null: the loader's default).</summary>
    public int? Workers { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public EvaluationOptions Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown evaluation mode; expected Streaming or Windowed.");
        if (!Enum.IsDefined(Overlap)) throw new ArgumentOutOfRangeException(nameof(Overlap), Overlap, "Unknown overlap policy.");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "The chunk size must be at least 1 frame.");
        if (WindowLength is { } w && w < 1) throw new ArgumentOutOfRangeException(nameof(WindowLength), w, "The window length must be at least 1 frame.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 1.");
        if (Workers is { } k && k < 1) throw new ArgumentOutOfRangeException(nameof(Workers), k, "At least one worker is needed.");
        return this;
    }
}
