using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Annotations;

/// <summary>
/// Draws rectangle outlines (face boxes, tracks) into an image with ImageSharp's pixel APIs, without
/// SixLabors.ImageSharp.Drawing. The part of a box outside the image is clipped.
/// </summary>
public static class BoxOutline
{
    /// <summary>Draws the outline of <paramref name="box"/> into <paramref name="image"/> in place.</summary>
    /// <param name="image">The image to draw into.</param>
    /// <param name="box">The rectangle in pixel coordinates; its edges are rounded to whole pixels.</param>
    /// <param name="color">The line colour.</param>
    /// <param name="thickness">The line width in pixels, drawn inwards from the box's edges.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="thickness"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The box is not finite.</exception>
    public static void Draw(Image<Rgb24> image, RectangleF box, Rgb24 color, int thickness = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thickness);
        if (!float.IsFinite(box.X) || !float.IsFinite(box.Y) || !float.IsFinite(box.Width) || !float.IsFinite(box.Height))
            throw new ArgumentException($"Box {box} must have finite coordinates.", nameof(box));
        int left = (int)MathF.Round(box.Left), top = (int)MathF.Round(box.Top);
        int right = (int)MathF.Round(box.Right), bottom = (int)MathF.Round(box.Bottom); // exclusive
        if (right <= left || bottom <= top)
            return;
        image.ProcessPixelRows(rows =>
        {
            int y0 = Math.Max(top, 0), y1 = Math.Min(bottom, rows.Height);
            int x0 = Math.Max(left, 0), x1 = Math.Min(right, rows.Width);
            if (x1 <= x0 || y1 <= y0)
                return;
            for (int y = y0; y < y1; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                bool horizontalBand = y < top + thickness || y >= bottom - thickness;
                if (horizontalBand)
                {
                    row[x0..x1].Fill(color);
                    continue;
                }
                // Vertical bands: [left, left + thickness) and [right - thickness, right), clipped.
                Fill(row, left, left + thickness, x0, x1, color);
                Fill(row, right - thickness, right, x0, x1, color);
            }
        });
    }

    private static void Fill(Span<Rgb24> row, int from, int to, int clipFrom, int clipTo, Rgb24 color)
    {
        from = Math.Max(from, clipFrom);
        to = Math.Min(to, clipTo);
        if (to > from)
            row[from..to].Fill(color);
    }
}
