using Emotion.Visualization.Heatmaps;

namespace Emotion.Visualization.Tests;

public class BilinearResamplerTests
{
    [Fact]
    public void MatchesTorchInterpolateWithoutAlignedCorners()
    {
        using var doc = FixtureFiles.Load("bilinear.json");
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            int h = c.GetProperty("h").GetInt32(), w = c.GetProperty("w").GetInt32();
            int oh = c.GetProperty("outH").GetInt32(), ow = c.GetProperty("outW").GetInt32();
            var source = FixtureFiles.Floats(c.GetProperty("source"));
            var expected = FixtureFiles.Floats(c.GetProperty("expected"));
            var actual = BilinearResampler.Resize(source, h, w, oh, ow);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"{h}x{w} -> {oh}x{ow}: [{i}] = {actual[i]}, torch {expected[i]}");
            cases++;
        }
        Assert.Equal(5, cases);
    }

    [Fact]
    public void HandComputedUpsampleOfTwoPixels()
    {
        // 1 x 2 -> 1 x 4: samples at x = max(0, (i + 0.5) / 2 - 0.5) = 0, 0.25, 0.75, 1.25 (clamped to the last pixel).
        var result = BilinearResampler.Resize([0f, 1f], 1, 2, 1, 4);
        Assert.Equal([0f, 0.25f, 0.75f, 1f], result);
    }

    [Fact]
    public void WrongLengthIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BilinearResampler.Resize([0f, 1f, 2f], 2, 2, 4, 4));
        Assert.Contains("2 x 2", e.Message);
        Assert.Throws<ArgumentException>(() => BilinearResampler.Resize([0f], 1, 1, 0, 4));
    }
}
