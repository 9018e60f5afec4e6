namespace Emotion.Torch.Models;

/// <summary>Published model settings, ready to build or adjust.</summary>
public static class EmotionModelPresets
{
    /// <summary>
    /// AffWildNet (Kollias et al.): VGG-16 (VGG-Face layout) convolutions + a 4096-wide fully connected layer, a 2-layer
    /// GRU with 128 units, per-frame outputs, 96 x 96 frames scaled to [-1, 1], 80-frame training sequences.
    /// </summary>
    public static EmotionModelBuilder AffWildNet() => EmotionModel.Create().UseAffWildNetPreset();
}
