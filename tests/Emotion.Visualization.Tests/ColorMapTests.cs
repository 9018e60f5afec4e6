using Emotion.Visualization.Coloring;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Tests;

public class ColorMapTests
{
    private static double[][] Reference(string name)
    {
        using var doc = FixtureFiles.Load("colormaps.json");
        return doc.RootElement.GetProperty("maps").GetProperty(name).EnumerateArray()
            .Select(e => e.EnumerateArray().Select(c => c.GetDouble()).ToArray()).ToArray();
    }

    private static double Luminance(double r, double g, double b) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

    [Theory]
    [InlineData("turbo")]
    [InlineData("jet")]
    public void EveryEntryMatchesMatplotlibWithinRounding(string name)
    {
        var reference = Reference(name);
        var map = ColorMaps.Parse(name);
        Assert.Equal(256, reference.Length);
        for (int i = 0; i < 256; i++)
        {
            Rgb24 c = map[i];
            Assert.True(Math.Abs(c.R - reference[i][0] * 255) <= 0.501, $"{name}[{i}].R = {c.R}, reference {reference[i][0] * 255}");
            Assert.True(Math.Abs(c.G - reference[i][1] * 255) <= 0.501, $"{name}[{i}].G = {c.G}, reference {reference[i][1] * 255}");
            Assert.True(Math.Abs(c.B - reference[i][2] * 255) <= 0.501, $"{name}[{i}].B = {c.B}, reference {reference[i][2] * 255}");
        }
    }

    [Fact]
    public void EndpointsAreThePublishedValues()
    {
        // Google's table: first entry (0.18995, 0.07176, 0.23217), last (0.47960, 0.01583, 0.01055).
        Assert.Equal(new Rgb24(48, 18, 59), ColorMaps.Turbo.Map(0f));
        Assert.Equal(new Rgb24(122, 4, 3), ColorMaps.Turbo.Map(1f));
        // Jet: dark blue (0, 0, 0.5) to dark red (0.5, 0, 0).
        Assert.Equal(new Rgb24(0, 0, 128), ColorMaps.Jet.Map(0f));
        Assert.Equal(new Rgb24(128, 0, 0), ColorMaps.Jet.Map(1f));
        Assert.Equal(new Rgb24(0, 0, 0), ColorMaps.Grayscale.Map(0f));
        Assert.Equal(new Rgb24(255, 255, 255), ColorMaps.Grayscale.Map(1f));
    }

    [Theory]
    [InlineData("turbo")]
    [InlineData("jet")]
    public void LuminanceRisesToTheReferencePeakThenFalls(string name)
    {
        var reference = Reference(name);
        int referencePeak = 0;
        for (int i = 1; i < 256; i++)
            if (Luminance(reference[i][0], reference[i][1], reference[i][2]) > Luminance(reference[referencePeak][0], reference[referencePeak][1], reference[referencePeak][2]))
                referencePeak = i;

        var map = ColorMaps.Parse(name);
        var lum = Enumerable.Range(0, 256).Select(i => Luminance(map[i].R, map[i].G, map[i].B) / 255).ToArray();
        int peak = Array.IndexOf(lum, lum.Max());
        Assert.InRange(peak, referencePeak - 3, referencePeak + 3);
        // Monotonic on each side, allowing the one-level ties that byte rounding creates.
        for (int i = 1; i <= peak; i++) Assert.True(lum[i] >= lum[i - 1] - 1.0 / 255, $"{name}: luminance falls at {i} before the peak {peak}");
        for (int i = peak + 1; i < 256; i++) Assert.True(lum[i] <= lum[i - 1] + 1.0 / 255, $"{name}: luminance rises at {i} after the peak {peak}");
        Assert.True(lum[peak] - lum[0] > 0.4 && lum[peak] - lum[255] > 0.3, "the map should span a wide luminance range");
    }

    [Fact]
    public void GrayscaleLuminanceIsStrictlyMonotonic()
    {
        for (int i = 1; i < 256; i++) Assert.True(ColorMaps.Grayscale[i].R > ColorMaps.Grayscale[i - 1].R);
    }

    [Fact]
    public void ValuesRoundToTheNearestEntryAndClamp()
    {
        var turbo = ColorMaps.Turbo;
        Assert.Equal(turbo[128], turbo.Map(0.5f));          // 127.5 rounds up
        Assert.Equal(turbo[64], turbo.Map(0.25f));          // 63.75
        Assert.Equal(turbo[0], turbo.Map(-3f));
        Assert.Equal(turbo[255], turbo.Map(7f));
        var destination = new Rgb24[3];
        turbo.Map([0f, 0.25f, 1f], destination);
        Assert.Equal([turbo[0], turbo[64], turbo[255]], destination);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        Assert.Throws<ArgumentException>(() => ColorMaps.Turbo.Map(float.NaN));
        var e = Assert.Throws<ArgumentException>(() => ColorMaps.Turbo.Map([0f, float.NaN], new Rgb24[2]));
        Assert.Contains("Value 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ColorMaps.Turbo[256]);
        Assert.Contains("turbo", Assert.Throws<ArgumentException>(() => ColorMaps.Parse("viridis")).Message);
        Assert.Throws<ArgumentException>(() => ColorMap.FromTable("bad", [0f, 0f, 0f]));
        Assert.Throws<ArgumentException>(() => ColorMap.FromTable("bad", [0f, 0f, 0f, 2f, 0f, 0f]));
    }

    [Fact]
    public void FromTableInterpolatesLinearly()
    {
        var map = ColorMap.FromTable("red-blue", [1f, 0f, 0f, 0f, 0f, 1f]);
        Assert.Equal(new Rgb24(255, 0, 0), map[0]);
        Assert.Equal(new Rgb24(0, 0, 255), map[255]);
        // Entry 51 is at 51/255 = 0.2 of the way: red 0.8, blue 0.2.
        Assert.Equal(new Rgb24(204, 0, 51), map[51]);
    }
}
