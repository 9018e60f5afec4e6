namespace Emotion.Torch.Interpretability;

/// <summary>
/// Which outputs of a sequence the map of frame t explains. The gradient always flows back through the recurrent head, so a
/// frame's map can reflect outputs at later frames. Sequence-to-one models (one output row) always use <see cref="LastFrame"/>.
/// </summary>
public enum SequenceTargetMode
{
    /// <summary>The map of frame t explains the target at output frame t (one backward pass per frame): "what in this frame drives this frame's prediction".</summary>
    SameFrame,
    /// <summary>Every frame's map explains the sum of the target over all output frames (one backward pass).</summary>
    AllFrames,
    /// <summary>Every frame's map explains the target at the last output frame (one backward pass): "what in each frame drives the final prediction".</summary>
    LastFrame,
}
