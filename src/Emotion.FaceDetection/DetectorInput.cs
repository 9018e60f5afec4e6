namespace Emotion.FaceDetection;

/// <summary>
/// A detector model's image input: its name and size, its layout, and the affine map from 0-255 pixel values to the
/// model's range (<c>pixel * Scale + Offset</c>).
/// </summary>
internal sealed record DetectorInput(string Name, int Width, int Height, bool ChannelsLast, float Scale, float Offset)
{
    /// <summary>The tensor shape, <c>[1, H, W, 3]</c> or <c>[1, 3, H, W]</c>.</summary>
    public long[] Shape { get; } = ChannelsLast ? [1, Height, Width, 3] : [1, 3, Height, Width];

    /// <summary>Floats in one input tensor.</summary>
    public int Length => 3 * Width * Height;
}
