using Emotion.Visualization.Coloring;
using Emotion.Visualization.Heatmaps;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Tests;

public class HeatmapOverlayTests
{
    [Fact]
    public void BlendMatchesHandComputedValues()
    {
        using var frame = new Image<Rgb24>(2, 1);
        frame[0, 0] = new Rgb24(10, 200, 30);
        frame[1, 0] = new Rgb24(100, 100, 100);
        var options = new HeatmapOverlayOptions { Alpha = 0.3f };
        using var overlay = HeatmapOverlay.Render(frame, [0f, 1f], 1, 2, options);
        // Turbo's first entry is (48, 18, 59) and its last (122, 4, 3) (Google's table x 255, rounded).
        // 0.7 * (10, 200, 30) + 0.3 * (48, 18, 59) = (21.4, 145.4, 38.7) -> (21, 145, 39)
        Assert.Equal(new Rgb24(21, 145, 39), overlay[0, 0]);
        // 0.7 * (100, 100, 100) + 0.3 * (122, 4, 3) = (106.6, 71.2, 70.9) -> (107, 71, 71)
        Assert.Equal(new Rgb24(107, 71, 71), overlay[1, 0]);
        // The original frame is untouched.
        Assert.Equal(new Rgb24(10, 200, 30), frame[0, 0]);
    }

    [Fact]
    public void AlphaZeroKeepsTheFrameAndAlphaOneShowsTheHeatmap()
    {
        using var frame = new Image<Rgb24>(3, 2, new Rgb24(40, 80, 120));
        float[] map = [0f, 0.5f, 1f, 1f, 0.5f, 0f];
        using var none = HeatmapOverlay.Render(frame, map, 2, 3, new HeatmapOverlayOptions { Alpha = 0f });
        using var full = HeatmapOverlay.Render(frame, map, 2, 3, new HeatmapOverlayOptions { Alpha = 1f, ColorMap = ColorMaps.Jet });
        for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
        {
            Assert.Equal(new Rgb24(40, 80, 120), none[x, y]);
            Assert.Equal(ColorMaps.Jet.Map(map[y * 3 + x]), full[x, y]);
        }
    }

    [Fact]
    public void SmallMapIsUpsampledBilinearlyToTheFrame()
    {
        using var frame = new Image<Rgb24>(4, 2);
        using var overlay = HeatmapOverlay.Render(frame, [0f, 1f], 1, 2, new HeatmapOverlayOptions { Alpha = 1f });
        // Columns sample 0, 0.25, 0.75, 1 (half-pixel centres) -> entries 0, 64, 191, 255.
        int[] entries = [0, 64, 191, 255];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(ColorMaps.Turbo[entries[x]], overlay[x, y]);
    }

    [Fact]
    public void ColorizeAndMinMaxScaling()
    {
        using var image = HeatmapOverlay.Colorize([2f, 4f, 6f], 1, 3, options: new HeatmapOverlayOptions { Scaling = HeatmapScaling.MinMax });
        Assert.Equal(3, image.Width);
        Assert.Equal(1, image.Height);
        Assert.Equal(ColorMaps.Turbo[0], image[0, 0]);
        Assert.Equal(ColorMaps.Turbo[128], image[1, 0]);
        Assert.Equal(ColorMaps.Turbo[255], image[2, 0]);

        var scaled = new float[3];
        HeatmapOverlay.Scale([5f, 5f, 5f], scaled, HeatmapScaling.MinMax);
        Assert.Equal([0f, 0f, 0f], scaled);
        HeatmapOverlay.Scale([-1f, 0.5f, 2f], scaled, HeatmapScaling.Clamp);
        Assert.Equal([0f, 0.5f, 1f], scaled);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        using var frame = new Image<Rgb24>(4, 4);
        var wrongLength = Assert.Throws<ArgumentException>(() => HeatmapOverlay.Render(frame, new float[5], 2, 2));
        Assert.Contains("2 x 2", wrongLength.Message);
        var nan = Assert.Throws<ArgumentException>(() => HeatmapOverlay.Render(frame, [0f, float.NaN, 0f, 0f], 2, 2));
        Assert.Contains("index 1", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => HeatmapOverlay.Render(frame, new float[4], 2, 2, new HeatmapOverlayOptions { Alpha = 1.5f }));
    }

    [Fact]
    public void StripLaysOutFramesAboveTheirOverlays()
    {
        var frames = Enumerable.Range(0, 3).Select(t => new Image<Rgb24>(8, 6, new Rgb24((byte)(50 * t), 10, 20))).ToList();
        try
        {
            var maps = new float[3 * 2 * 2];
            for (int t = 0; t < 3; t++) maps.AsSpan(t * 4, 4).Fill(t / 2f);
            using var strip = SequenceStrip.Render(frames, maps, 2, 2);
            Assert.Equal(3 * 8 + 4 * 2, strip.Width);
            Assert.Equal(2 * 6 + 3 * 2, strip.Height);
            Assert.Equal(new Rgb24(255, 255, 255), strip[0, 0]);
            for (int t = 0; t < 3; t++)
            {
                int x = 2 + t * 10;
                Assert.Equal(frames[t][0, 0], strip[x, 2]);
                Assert.Equal(frames[t][7, 5], strip[x + 7, 2 + 5]);
                using var expected = HeatmapOverlay.Render(frames[t], maps.AsSpan(t * 4, 4), 2, 2);
                Assert.Equal(expected[3, 3], strip[x + 3, 2 + 6 + 2 + 3]);
            }

            using var overlaysOnly = SequenceStrip.Render(frames, maps, 2, 2, new SequenceStripOptions { IncludeOriginals = false, Spacing = 0 });
            Assert.Equal(24, overlaysOnly.Width);
            Assert.Equal(6, overlaysOnly.Height);
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void StripRejectsFramesOfDifferentSizesAndWrongMapCounts()
    {
        using var a = new Image<Rgb24>(8, 6);
        using var b = new Image<Rgb24>(8, 7);
        var sizes = Assert.Throws<ArgumentException>(() => SequenceStrip.Render([a, b], new float[8], 2, 2));
        Assert.Contains("Frame 1", sizes.Message);
        var count = Assert.Throws<ArgumentException>(() => SequenceStrip.Render([a, a], new float[4], 2, 2));
        Assert.Contains("2 x 2 x 2", count.Message);
    }

    [Fact]
    public void OverlaySavesAsPng()
    {
        using var frame = new Image<Rgb24>(16, 16, new Rgb24(90, 90, 90));
        using var overlay = HeatmapOverlay.Render(frame, new float[16], 4, 4);
        using var stream = new MemoryStream();
        overlay.SaveAsPng(stream);
        stream.Position = 0;
        using var decoded = Image.Load<Rgb24>(stream);
        Assert.Equal(overlay[5, 5], decoded[5, 5]);
    }
}
