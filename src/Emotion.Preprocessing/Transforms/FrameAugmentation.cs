namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// The random choices for one frame: where to crop, whether to flip, and the colour factors.
/// <see cref="None"/> is the evaluation setting (centre crop, no flip, factors 1).
/// </summary>
/// <param name="CropX">Horizontal crop position as a fraction of the free space (0 = left, 1 = right); ignored for a centre crop.</param>
/// <param name="CropY">Vertical crop position as a fraction of the free space (0 = top, 1 = bottom); ignored for a centre crop.</param>
/// <param name="Flip">Whether the frame is mirrored horizontally.</param>
/// <param name="Brightness">Brightness factor (1 = unchanged).</param>
/// <param name="Contrast">Contrast factor (1 = unchanged).</param>
/// <param name="Saturation">Saturation factor (1 = unchanged).</param>
public readonly record struct FrameAugmentation(float CropX, float CropY, bool Flip, float Brightness, float Contrast, float Saturation)
{
    /// <summary>No augmentation: centre crop, no flip, colour unchanged.</summary>
    public static FrameAugmentation None { get; } = new(0.5f, 0.5f, false, 1f, 1f, 1f);

    /// <summary>Whether any colour factor differs from 1.</summary>
    public bool HasColorChange => Brightness != 1f || Contrast != 1f || Saturation != 1f;
}
