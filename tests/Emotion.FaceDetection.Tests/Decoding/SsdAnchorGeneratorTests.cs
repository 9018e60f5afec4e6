using System.Collections.Immutable;
using Emotion.FaceDetection.Decoding;

namespace Emotion.FaceDetection.Tests.Decoding;

public sealed class SsdAnchorGeneratorTests
{
    [Fact]
    public void ShortRangeFaceAnchorsMatchHandComputedLayout()
    {
        var anchors = SsdAnchorGenerator.Generate(SsdAnchorOptions.FaceDetectionShortRange);
        // 16x16 cells x 2 anchors (stride 8) + 8x8 cells x 6 anchors (three stride-16 layers x 2).
        Assert.Equal(16 * 16 * 2 + 8 * 8 * 6, anchors.Length);
        Assert.Equal(896, anchors.Length);
        // Stride 8: cell (x, y) centre ((x + 0.5) / 16, (y + 0.5) / 16), two anchors per cell, row-major.
        Assert.Equal(new SsdAnchor(0.03125f, 0.03125f, 1, 1), anchors[0]);
        Assert.Equal(new SsdAnchor(0.03125f, 0.03125f, 1, 1), anchors[1]);
        Assert.Equal(new SsdAnchor(0.09375f, 0.03125f, 1, 1), anchors[2]);
        Assert.Equal(new SsdAnchor(0.03125f, 0.09375f, 1, 1), anchors[32]);      // row 1 starts after 16 cells x 2
        Assert.Equal(new SsdAnchor(0.96875f, 0.96875f, 1, 1), anchors[511]);
        // Stride 16: cell centre ((x + 0.5) / 8, (y + 0.5) / 8), six anchors per cell.
        for (int k = 0; k < 6; k++) Assert.Equal(new SsdAnchor(0.0625f, 0.0625f, 1, 1), anchors[512 + k]);
        Assert.Equal(new SsdAnchor(0.1875f, 0.0625f, 1, 1), anchors[518]);
        Assert.Equal(new SsdAnchor(0.0625f, 0.1875f, 1, 1), anchors[512 + 48]);
        Assert.Equal(new SsdAnchor(0.9375f, 0.9375f, 1, 1), anchors[895]);
    }

    [Fact]
    public void VariableSizeAnchorsUseMediaPipeScales()
    {
        // Same layout without fixed size: scale(i) = 0.1484375 + (0.75 - 0.1484375) * i / 3; per layer one anchor of
        // ratio 1 with scale(i) and one interpolated anchor with sqrt(scale(i) * scale(i + 1)) (1 after the last).
        var options = SsdAnchorOptions.FaceDetectionShortRange with { FixedAnchorSize = false };
        var anchors = SsdAnchorGenerator.Generate(options);
        double s0 = 0.1484375, s1 = 0.1484375 + 0.6015625 / 3, s2 = 0.1484375 + 2 * 0.6015625 / 3, s3 = 0.75;
        Assert.Equal(s0, anchors[0].Width, 6);
        Assert.Equal(s0, anchors[0].Height, 6);
        Assert.Equal(Math.Sqrt(s0 * s1), anchors[1].Width, 6);
        double[] secondGroup = [s1, Math.Sqrt(s1 * s2), s2, Math.Sqrt(s2 * s3), s3, Math.Sqrt(s3 * 1.0)];
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal(secondGroup[k], anchors[512 + k].Width, 6);
            Assert.Equal(secondGroup[k], anchors[512 + k].Height, 6);
        }
    }

    [Fact]
    public void AspectRatiosAndLowestLayerReduction()
    {
        // One layer, stride 64 on a 128x64 input: a 2x1 map; reduced lowest layer gives (ratio 1, scale 0.1), ratio 2 and ratio 0.5
        // at scale (min + max) / 2 = 0.5 (a single layer uses the mean scale).
        var options = new SsdAnchorOptions
        {
            InputWidth = 128, InputHeight = 64, Strides = [64], MinScale = 0.2f, MaxScale = 0.8f,
            ReduceBoxesInLowestLayer = true, FixedAnchorSize = false,
        };
        var anchors = SsdAnchorGenerator.Generate(options);
        Assert.Equal(6, anchors.Length);
        Assert.Equal(0.25f, anchors[0].XCenter);
        Assert.Equal(0.5f, anchors[0].YCenter);
        Assert.Equal(0.75f, anchors[3].XCenter);
        Assert.Equal(0.1f, anchors[0].Width, 6);
        Assert.Equal(0.5 * Math.Sqrt(2), anchors[1].Width, 6);
        Assert.Equal(0.5 / Math.Sqrt(2), anchors[1].Height, 6);
        Assert.Equal(0.5 * Math.Sqrt(0.5), anchors[2].Width, 6);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SsdAnchorGenerator.Generate(SsdAnchorOptions.FaceDetectionShortRange with { Strides = ImmutableArray<int>.Empty }));
        Assert.Contains("strides", ex.Message);
        Assert.Throws<ArgumentException>(() => SsdAnchorGenerator.Generate(SsdAnchorOptions.FaceDetectionShortRange with { Strides = [8, 0] }));
        Assert.Throws<ArgumentException>(() => SsdAnchorGenerator.Generate(SsdAnchorOptions.FaceDetectionShortRange with { InputWidth = 0 }));
    }
}
