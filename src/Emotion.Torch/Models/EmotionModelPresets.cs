using Emotion.Torch.Weights;

namespace Emotion.Torch.Models;

/// <summary>Published model settings, ready to build or adjust.</summary>
public static class EmotionModelPresets
{
    /// <summary>
    /// AffWildNet (Kollias et al.): VGG-16 (VGG-Face layout) convolutions + a 4096-wide fully connected layer, a 2-layer
    /// GRU with 128 units, per-frame outputs, 96 x 96 frames scaled to [-1, 1], 80-frame training sequences.
    /// </summary>
    public static EmotionModelBuilder AffWildNet() => EmotionModel.Create().UseAffWildNetPreset();

    /// <summary>
    /// AffWildNet starting from pretrained VGG-16 weights (TorchVision ImageNet or VGG-Face names); see
    /// <see cref="EmotionModelBuilder.UseAffWildNetPreset(string)"/>.
    /// </summary>
    public static EmotionModelBuilder AffWildNet(string pretrainedWeights) => EmotionModel.Create().UseAffWildNetPreset(pretrainedWeights);

    /// <summary>
    /// How AffWildNet loads VGG-16 weights: strict (every convolution of the file must fit, nothing unknown may remain)
    /// with <see cref="WeightsKeyMap.AffWildNet"/> renaming (VGG-Face names to TorchVision's; the first fully connected
    /// layer to <c>fc.0</c>), entries of another shape skipped and reported (<c>fc.0</c> unless the frames are 224 x 224),
    /// and the backbone's ignored <c>classifier.</c> prefix dropping VGG-16's other fully connected layers.
    /// </summary>
    public static WeightsLoadOptions AffWildNetWeightsLoading { get; } = WeightsLoadOptions.Default with
    {
        KeyMap = WeightsKeyMap.AffWildNet,
        SkipMismatchedShapes = true,
    };
}
