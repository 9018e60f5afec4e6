using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// A decoded, face-cropped and resized frame as packed 8-bit RGB bytes (row-major, 3 bytes per pixel): the
/// deterministic part of preprocessing, and what the frame cache stores (bytes, 4 times smaller than floats).
/// </summary>
public sealed class RgbFrame
{
    /// <summary>Wraps packed RGB bytes.</summary>
    /// <exception cref="ArgumentException">The buffer length is not width x height x 3.</exception>
    public RgbFrame(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != width * height * 3)
            throw new ArgumentException($"Expected {width * height * 3} bytes for a {width}x{height} RGB frame, got {pixels.Length}.", nameof(pixels));
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    /// <summary>Packed RGB bytes, <c>[Height, Width, 3]</c>.</summary>
    public byte[] Pixels { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Copies an RGB image's pixels.</summary>
    public static RgbFrame FromImage(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return new RgbFrame(pixels, image.Width, image.Height);
    }

    /// <summary>Creates an ImageSharp image with a copy of the pixels (for saving or inspection).</summary>
    public Image<Rgb24> ToImage() => Image.LoadPixelData<Rgb24>(Pixels, Width, Height);
}
