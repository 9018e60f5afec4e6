namespace Emotion.Torch.Heads;

/// <summary>Which time steps a head returns.</summary>
public enum SequenceOutput
{
    /// <summary>One output per frame, <c>[B, T, H]</c> (sequence-to-sequence; Aff-Wild2 labels every frame).</summary>
    PerFrame,
    /// <summary>The last step only, <c>[B, 1, H]</c> (sequence-to-one; stands for the last frame).</summary>
    LastStep,
    /// <summary>The mean over the time steps, <c>[B, 1, H]</c> (sequence-to-one; stands for the last frame).</summary>
    Mean,
}
