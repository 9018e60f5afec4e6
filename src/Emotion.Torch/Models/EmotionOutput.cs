using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Models;

/// <summary>
/// What an emotion model (<c>EmotionModel</c>) returns for a batch of frame sequences. Per-frame (sequence-to-sequence) models
/// return one row per input frame (<c>T</c>); sequence-to-one models return a single row (<c>T = 1</c>) that stands for the
/// sequence's last frame. Disposing the output disposes every tensor it holds.
/// </summary>
public sealed class EmotionOutput : IDisposable
{
    /// <summary>Creates an output; any part may be absent according to the task.</summary>
    public EmotionOutput(Tensor features, Tensor? logits, Tensor? valenceArousal, RecurrentState? state = null)
    {
        Features = features ?? throw new ArgumentNullException(nameof(features));
        Logits = logits;
        ValenceArousal = valenceArousal;
        State = state;
    }

    /// <summary>Per-frame features after the recurrent head, <c>[B, T, F]</c> (used for feature-space views).</summary>
    public Tensor Features { get; }

    /// <summary>Category logits <c>[B, T, C]</c> (before softmax), or null for a valence-arousal-only model.</summary>
    public Tensor? Logits { get; }

    /// <summary>Valence (index 0) and arousal (index 1) bounded to [-1, 1], <c>[B, T, 2]</c>, or null for a categorical-only model.</summary>
    public Tensor? ValenceArousal { get; }

    /// <summary>The recurrent state after the last frame (to continue a stream chunk by chunk), or null for a head without recurrence.</summary>
    public RecurrentState? State { get; }

    /// <summary>Moves every tensor out of the current dispose scope so that the output outlives it.</summary>
    public EmotionOutput MoveToOuterDisposeScope()
    {
        Features.MoveToOuterDisposeScope();
        Logits?.MoveToOuterDisposeScope();
        ValenceArousal?.MoveToOuterDisposeScope();
        State?.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Logits?.Dispose();
        ValenceArousal?.Dispose();
        State?.Dispose();
    }
}
