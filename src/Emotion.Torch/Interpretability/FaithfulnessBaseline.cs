namespace Emotion.Torch.Interpretability;

/// <summary>What removed pixels are replaced with in a deletion/insertion curve.</summary>
public enum FaithfulnessBaseline
{
    /// <summary>A box-blurred copy of the frame (kernel <see cref="FaithfulnessOptions.BlurKernel"/>): removes detail, keeps colour statistics.</summary>
    Blur,
    /// <summary>The frame's per-channel mean.</summary>
    Mean,
    /// <summary>Zero in the model's normalised space (the normalisation mean colour).</summary>
    Zero,
}
