using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Tests;

/// <summary>Renders ScottPlot plots to PNG and inspects the decoded pixels.</summary>
internal static class PlotImages
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static Image<Rgba32> Render(ScottPlot.Plot plot, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        Assert.True(png.AsSpan(0, 8).SequenceEqual(PngSignature), "not a PNG");
        var image = Image.Load<Rgba32>(png);
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        return image;
    }

    public static bool Near(Rgba32 a, Rgb24 b, int tolerance) =>
        Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance;

    /// <summary>The pixels of <paramref name="colour"/> (within tolerance) and their bounding box.</summary>
    public static (int Count, int MinX, int MinY, int MaxX, int MaxY) Find(Image<Rgba32> image, Rgb24 colour, int tolerance = 2)
    {
        int count = 0, minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                if (!Near(image[x, y], colour, tolerance)) continue;
                count++;
                minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
            }
        return (count, minX, minY, maxX, maxY);
    }
}
