using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Visualization.Heatmaps;

/// <summary>
/// Lays out a sequence's frames side by side with their heatmap overlays: one column per frame, the originals in the top row
/// (optional) and the overlays below. For <c>T</c> frames of <c>w x h</c> with spacing <c>s</c> and <c>R</c> rows (1 or 2), the strip
/// is <c>T w + (T + 1) s</c> wide and <c>R h + (R + 1) s</c> high.
/// </summary>
public static class SequenceStrip
{
    /// <summary>Renders the strip.</summary>
    /// <param name="frames">The frames, all of the same size.</param>
    /// <param name="maps">One map per frame, concatenated: <c>[T, mapHeight, mapWidth]</c> row-major.</param>
    /// <param name="mapHeight">Rows of each map.</param>
    /// <param name="mapWidth">Columns of each map.</param>
    /// <param name="options">Layout and overlay options; null for <see cref="SequenceStripOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">No frames, frames of different sizes (the message names the frame), or the maps' length is not <c>T x mapHeight x mapWidth</c>.</exception>
    public static Image<Rgb24> Render(IReadOnlyList<Image<Rgb24>> frames, ReadOnlySpan<float> maps, int mapHeight, int mapWidth,
        SequenceStripOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        options = (options ?? SequenceStripOptions.Default).Validate();
        if (frames.Count == 0) throw new ArgumentException("A sequence strip needs at least one frame.", nameof(frames));
        MapChecks.CheckSize(mapHeight, mapWidth, nameof(mapHeight));
        int mapLength = mapHeight * mapWidth;
        if (maps.Length != (long)frames.Count * mapLength)
            throw new ArgumentException(
                $"Maps hold {maps.Length} values; expected frames x height x width = {frames.Count} x {mapHeight} x {mapWidth} = {(long)frames.Count * mapLength}.",
                nameof(maps));
        var first = frames[0] ?? throw new ArgumentException("Frame 0 is null.", nameof(frames));
        int w = first.Width, h = first.Height, s = options.Spacing;
        for (int t = 1; t < frames.Count; t++)
        {
            var frame = frames[t] ?? throw new ArgumentException($"Frame {t} is null.", nameof(frames));
            if (frame.Width != w || frame.Height != h)
                throw new ArgumentException($"Frame {t} is {frame.Width} x {frame.Height}; expected {w} x {h} like frame 0.", nameof(frames));
        }

        int rows = options.IncludeOriginals ? 2 : 1;
        var strip = new Image<Rgb24>(frames.Count * w + (frames.Count + 1) * s, rows * h + (rows + 1) * s, options.Background);
        try
        {
            for (int t = 0; t < frames.Count; t++)
            {
                int x = s + t * (w + s);
                using var overlay = HeatmapOverlay.Render(frames[t], maps.Slice(t * mapLength, mapLength), mapHeight, mapWidth, options.Overlay);
                var frame = frames[t];
                strip.Mutate(c =>
                {
                    if (options.IncludeOriginals) c.DrawImage(frame, new Point(x, s), 1f);
                    c.DrawImage(overlay, new Point(x, s + (rows - 1) * (h + s)), 1f);
                });
            }
            return strip;
        }
        catch
        {
            strip.Dispose();
            throw;
        }
    }
}
