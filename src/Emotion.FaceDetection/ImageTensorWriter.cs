using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.FaceDetection;

/// <summary>
/// Writes an RGB image into a detector's input tensor: one ImageSharp resize (bilinear) to the input size, or to fit it
/// with the aspect ratio kept, then one pass over the resized pixel rows writing <c>pixel * scale + offset</c> per channel
/// (NHWC or NCHW, RGB) through Emotion.Preprocessing's <see cref="PixelTensorWriter"/>; the letterbox padding gets the
/// value of a black pixel.
/// </summary>
internal static class ImageTensorWriter
{
    /// <summary>Writes <paramref name="image"/> into <paramref name="destination"/> (3 x width x height floats).</summary>
    /// <returns>Where the image lies in the input.</returns>
    public static ImageMapping Write(Image<Rgb24> image, float[] destination, int width, int height, bool keepAspectRatio,
        bool channelsLast, float scale, float offset)
    {
        int targetW = width, targetH = height;
        if (keepAspectRatio)
        {
            double s = Math.Min((double)width / image.Width, (double)height / image.Height);
            targetW = Math.Clamp((int)Math.Round(image.Width * s), 1, width);
            targetH = Math.Clamp((int)Math.Round(image.Height * s), 1, height);
        }
        int padX = (width - targetW) / 2, padY = (height - targetH) / 2;
        var mapping = new ImageMapping(width, height, (float)targetW / image.Width, (float)targetH / image.Height, padX, padY);
        int length = 3 * width * height;
        if (targetW != width || targetH != height) destination.AsSpan(0, length).Fill(offset);

        Image<Rgb24> resized = targetW == image.Width && targetH == image.Height
            ? image
            : image.Clone(ctx => ctx.Resize(targetW, targetH, KnownResamplers.Triangle));
        try
        {
            var pixels = PixelTensorWriter.Affine(scale, offset);
            var tensor = destination.AsSpan(0, length);
            int plane = width * height;
            for (int y = 0; y < resized.Height; y++)
            {
                ReadOnlySpan<Rgb24> row = resized.DangerousGetPixelRowMemory(y).Span;
                int start = (y + padY) * width + padX;
                if (channelsLast) pixels.WriteInterleaved(row, tensor.Slice(start * 3, row.Length * 3));
                else pixels.WritePlanar(row, tensor.Slice(start, row.Length), tensor.Slice(plane + start, row.Length), tensor.Slice(2 * plane + start, row.Length));
            }
        }
        finally
        {
            if (!ReferenceEquals(resized, image)) resized.Dispose();
        }
        return mapping;
    }
}
