using System.Globalization;

namespace Emotion.Synthetic;

/// <summary>An axis-aligned rectangle in normalised frame coordinates: x to the right and y down, both in [0, 1].</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public readonly record struct NormalizedRegion(float X, float Y, float Width, float Height)
{
    /// <summary>Right edge.</summary>
    public float Right => X + Width;

    /// <summary>Bottom edge.</summary>
    public float Bottom => Y + Height;

    /// <summary>Whether a normalised point lies inside (edges included).</summary>
    public bool Contains(float x, float y) => x >= X && x <= Right && y >= Y && y <= Bottom;

    /// <summary>Whether the centre of pixel (<paramref name="px"/>, <paramref name="py"/>) of a <paramref name="width"/> x <paramref name="height"/> frame lies inside.</summary>
    public bool ContainsPixel(int px, int py, int width, int height) => Contains((px + 0.5f) / width, (py + 0.5f) / height);

    /// <summary>The pixels of a <paramref name="width"/> x <paramref name="height"/> frame whose centres lie inside, as a rectangle (possibly empty).</summary>
    public SixLabors.ImageSharp.Rectangle ToPixels(int width, int height)
    {
        int x0 = Math.Max(0, (int)MathF.Ceiling(X * width - 0.5f)), y0 = Math.Max(0, (int)MathF.Ceiling(Y * height - 0.5f));
        int x1 = Math.Min(width - 1, (int)MathF.Floor(Right * width - 0.5f)), y1 = Math.Min(height - 1, (int)MathF.Floor(Bottom * height - 0.5f));
        return x1 < x0 || y1 < y0 ? default : new SixLabors.ImageSharp.Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>The fraction of the frame's area covered.</summary>
    public float Area => Width * Height;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[x {X:0.###}..{Right:0.###}, y {Y:0.###}..{Bottom:0.###}]");
}
