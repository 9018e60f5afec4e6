using Emotion.Visualization.Annotations;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Tests;

public sealed class BoxOutlineTests
{
    private static readonly Rgb24 Red = new(255, 0, 0);

    [Fact]
    public void DrawsExactlyTheOutlinePixels()
    {
        using var image = new Image<Rgb24>(10, 8);
        BoxOutline.Draw(image, new RectangleF(2, 1, 5, 4), Red, thickness: 1); // columns 2..6, rows 1..4
        for (int y = 0; y < 8; y++)
        for (int x = 0; x < 10; x++)
        {
            bool inside = x >= 2 && x <= 6 && y >= 1 && y <= 4;
            bool edge = inside && (x == 2 || x == 6 || y == 1 || y == 4);
            Assert.True(image[x, y] == (edge ? Red : default), $"pixel ({x}, {y}) is {image[x, y]}, expected {(edge ? "red" : "black")}");
        }
    }

    [Fact]
    public void ThickLinesGrowInwardsAndBoxesAreClippedAtTheBorder()
    {
        using var image = new Image<Rgb24>(6, 6);
        BoxOutline.Draw(image, new RectangleF(-2, -2, 6, 6), Red, thickness: 2); // covers columns/rows -2..3
        int red = 0;
        for (int y = 0; y < 6; y++)
        for (int x = 0; x < 6; x++)
            if (image[x, y] == Red) red++;
        // Visible part: rows/columns 0..3; the 2-pixel band on the right/bottom edges is columns/rows 2..3; the left/top bands are outside.
        int expected = 0;
        for (int y = 0; y <= 3; y++)
        for (int x = 0; x <= 3; x++)
            if (x >= 2 || y >= 2) expected++;
        Assert.Equal(expected, red);
        Assert.Equal(default, image[1, 1]);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        using var image = new Image<Rgb24>(4, 4);
        Assert.Throws<ArgumentOutOfRangeException>("thickness", () => BoxOutline.Draw(image, new RectangleF(0, 0, 2, 2), Red, 0));
        Assert.Throws<ArgumentException>("box", () => BoxOutline.Draw(image, new RectangleF(float.NaN, 0, 2, 2), Red));
    }
}
