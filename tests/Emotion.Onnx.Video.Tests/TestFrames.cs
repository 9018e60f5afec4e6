using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Core.Faces;

namespace Emotion.Onnx.Video.Tests;

/// <summary>Synthetic video frames: a noisy background with "faces" (tinted, textured patches) at known boxes.</summary>
internal static class TestFrames
{
    /// <summary>A frame of uniform noise in [low, high] (every channel) with a patch per face drawn inside its box.</summary>
    /// <param name="width">Frame width.</param>
    /// <param name="height">Frame height.</param>
    /// <param name="seed">The frame's noise seed.</param>
    /// <param name="low">The background's darkest level.</param>
    /// <param name="high">The background's brightest level.</param>
    /// <param name="faces">Each face's box (rounded to pixels, clipped to the frame) and tint.</param>
    public static Image<Rgb24> Scene(int width, int height, int seed, byte low, byte high, params (FaceBox Box, Rgb24 Tint)[] faces)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)random.Next(low, high + 1), (byte)random.Next(low, high + 1), (byte)random.Next(low, high + 1));
        foreach (var (box, tint) in faces)
        {
            int x0 = Math.Max(0, (int)MathF.Round(box.X)), y0 = Math.Max(0, (int)MathF.Round(box.Y));
            int x1 = Math.Min(width, (int)MathF.Round(box.X + box.Width)), y1 = Math.Min(height, (int)MathF.Round(box.Y + box.Height));
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    // A tinted gradient with some noise: each face looks different from the background and from the other face.
                    float u = (x - x0) / (float)Math.Max(1, x1 - x0), v = (y - y0) / (float)Math.Max(1, y1 - y0);
                    int n = random.Next(-20, 21);
                    image[x, y] = new Rgb24(Clamp(tint.R * (0.6f + 0.4f * u) + n), Clamp(tint.G * (0.6f + 0.4f * v) + n), Clamp(tint.B * (1f - 0.3f * u * v) + n));
                }
        }
        return image;
    }

    /// <summary>The part of <paramref name="frame"/> inside <paramref name="box"/> grown by <paramref name="margin"/> and clamped to the frame.</summary>
    public static Image<Rgb24> Crop(Image<Rgb24> frame, FaceBox box, float margin)
    {
        var rectangle = box.ClampTo(frame.Width, frame.Height, margin);
        return frame.Clone(c => c.Crop(rectangle));
    }

    private static byte Clamp(float value) => (byte)Math.Clamp((int)MathF.Round(value), 0, 255);
}
