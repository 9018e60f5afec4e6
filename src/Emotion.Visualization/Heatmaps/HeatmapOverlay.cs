using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Heatmaps;

/// <summary>
/// Renders explanation maps (for example Grad-CAM) as colour-mapped heatmaps, alone or blended over their frame.
/// A map is a row-major <c>float</c> span of <c>mapHeight x mapWidth</c> values, normally in [0, 1]; a map smaller (or larger) than
/// the frame is resampled bilinearly to the frame's size (<see cref="BilinearResampler"/>), one of the frame's size is used as is.
/// </summary>
public static class HeatmapOverlay
{
    /// <summary>Returns a copy of <paramref name="frame"/> with the heatmap of <paramref name="map"/> blended over it.</summary>
    /// <param name="frame">The original frame (not modified).</param>
    /// <param name="map">The map, <paramref name="mapHeight"/> x <paramref name="mapWidth"/> values, row-major.</param>
    /// <param name="mapHeight">Rows of the map.</param>
    /// <param name="mapWidth">Columns of the map.</param>
    /// <param name="options">Colour map, alpha and scaling; null for <see cref="HeatmapOverlayOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The map's length does not match its size, or it holds NaN or infinity.</exception>
    public static Image<Rgb24> Render(Image<Rgb24> frame, ReadOnlySpan<float> map, int mapHeight, int mapWidth,
        HeatmapOverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var result = frame.Clone();
        try
        {
            Apply(result, map, mapHeight, mapWidth, options);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Blends the heatmap of <paramref name="map"/> over <paramref name="frame"/> in place.</summary>
    /// <inheritdoc cref="Render" path="/param"/>
    /// <exception cref="ArgumentException">The map's length does not match its size, or it holds NaN or infinity.</exception>
    public static void Apply(Image<Rgb24> frame, ReadOnlySpan<float> map, int mapHeight, int mapWidth,
        HeatmapOverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options = (options ?? HeatmapOverlayOptions.Default).Validate();
        Paint(frame, map, mapHeight, mapWidth, options, options.Alpha);
    }

    /// <summary>Returns the colour-mapped heatmap alone, resampled to <paramref name="width"/> x <paramref name="height"/> (the map's own size when omitted).</summary>
    /// <param name="map">The map, <paramref name="mapHeight"/> x <paramref name="mapWidth"/> values, row-major.</param>
    /// <param name="mapHeight">Rows of the map.</param>
    /// <param name="mapWidth">Columns of the map.</param>
    /// <param name="width">Width of the image, or 0 for <paramref name="mapWidth"/>.</param>
    /// <param name="height">Height of the image, or 0 for <paramref name="mapHeight"/>.</param>
    /// <param name="options">Colour map and scaling (alpha is ignored); null for <see cref="HeatmapOverlayOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The map's length does not match its size, or it holds NaN or infinity.</exception>
    public static Image<Rgb24> Colorize(ReadOnlySpan<float> map, int mapHeight, int mapWidth, int width = 0, int height = 0,
        HeatmapOverlayOptions? options = null)
    {
        options = (options ?? HeatmapOverlayOptions.Default).Validate();
        MapChecks.CheckMap(map.Length, mapHeight, mapWidth, nameof(map));
        if (width < 0 || height < 0) throw new ArgumentOutOfRangeException(width < 0 ? nameof(width) : nameof(height), "Expected a positive image size, or 0 for the map's size.");
        var image = new Image<Rgb24>(width == 0 ? mapWidth : width, height == 0 ? mapHeight : height);
        try
        {
            Paint(image, map, mapHeight, mapWidth, options, alpha: 1f);
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="map"/> brought into [0, 1] by <paramref name="scaling"/> into <paramref name="destination"/> (same length).</summary>
    /// <exception cref="ArgumentException">The lengths differ or a value is not finite.</exception>
    public static void Scale(ReadOnlySpan<float> map, Span<float> destination, HeatmapScaling scaling)
    {
        if (map.Length != destination.Length)
            throw new ArgumentException($"Destination has {destination.Length} values; expected {map.Length}.", nameof(destination));
        MapChecks.CheckFinite(map, nameof(map));
        if (scaling == HeatmapScaling.MinMax)
        {
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in map) { if (v < min) min = v; if (v > max) max = v; }
            float range = max - min;
            if (!(range > 0f)) { destination.Clear(); return; }
            float scale = 1f / range;
            for (int i = 0; i < map.Length; i++) destination[i] = (map[i] - min) * scale;
        }
        else
        {
            for (int i = 0; i < map.Length; i++) destination[i] = Math.Clamp(map[i], 0f, 1f);
        }
    }

    private static void Paint(Image<Rgb24> target, ReadOnlySpan<float> map, int mapHeight, int mapWidth,
        HeatmapOverlayOptions options, float alpha)
    {
        MapChecks.CheckMap(map.Length, mapHeight, mapWidth, nameof(map));
        int width = target.Width, height = target.Height;
        float[] scaled = ArrayPool<float>.Shared.Rent(map.Length);
        float[] resized = ArrayPool<float>.Shared.Rent(width * height);
        try
        {
            Scale(map, scaled.AsSpan(0, map.Length), options.Scaling);
            BilinearResampler.Resize(scaled.AsSpan(0, map.Length), mapHeight, mapWidth, resized.AsSpan(0, width * height), height, width);
            var colorMap = options.ColorMap;
            target.ProcessPixelRows(accessor =>
            {
                Span<Rgb24> colours = width <= 2048 ? stackalloc Rgb24[width] : new Rgb24[width];
                float keep = 1f - alpha;
                for (int y = 0; y < accessor.Height; y++)
                {
                    colorMap.Map(resized.AsSpan(y * width, width), colours);
                    Span<Rgb24> row = accessor.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        ref Rgb24 p = ref row[x];
                        Rgb24 c = colours[x];
                        p = new Rgb24(Blend(p.R, c.R, keep, alpha), Blend(p.G, c.G, keep, alpha), Blend(p.B, c.B, keep, alpha));
                    }
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scaled);
            ArrayPool<float>.Shared.Return(resized);
        }
    }

    private static byte Blend(byte frame, byte colour, float keep, float alpha) =>
        (byte)Math.Min(255f, keep * frame + alpha * colour + 0.5f);
}
