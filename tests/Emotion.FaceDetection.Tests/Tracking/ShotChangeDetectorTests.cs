using Emotion.FaceDetection.Tracking;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection.Tests.Tracking;

public sealed class ShotChangeDetectorTests
{
    [Fact]
    public void DifferenceIsTheMeanAbsoluteLumaChangeOfTheGrid()
    {
        var detector = new ShotChangeDetector(threshold: 20f, gridSize: 4);
        using var dark = new Image<Rgb24>(64, 48, new Rgb24(40, 40, 40));
        using var bright = new Image<Rgb24>(64, 48, new Rgb24(100, 100, 100));
        using var slightlyBrighter = new Image<Rgb24>(64, 48, new Rgb24(50, 50, 50));
        Assert.False(detector.IsCut(dark));            // the first frame is never a cut
        Assert.Equal(0f, detector.LastDifference);
        Assert.False(detector.IsCut(slightlyBrighter));
        Assert.Equal(10f, detector.LastDifference, 3); // grey: luma = value
        Assert.True(detector.IsCut(bright));
        Assert.Equal(50f, detector.LastDifference, 3);

        // Half the grid changes by 60: mean difference 30.
        using var half = bright.Clone();
        half.ProcessPixelRows(a =>
        {
            for (int y = 0; y < a.Height; y++) a.GetRowSpan(y)[..32].Fill(new Rgb24(160, 160, 160));
        });
        Assert.True(detector.IsCut(half));
        Assert.Equal(30f, detector.LastDifference, 3);
        detector.Reset();
        Assert.False(detector.IsCut(dark));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShotChangeDetector(threshold: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShotChangeDetector(gridSize: 0));
        using var tiny = new Image<Rgb24>(4, 4);
        var ex = Assert.Throws<ArgumentException>(() => new ShotChangeDetector(gridSize: 16).IsCut(tiny));
        Assert.Contains("4x4", ex.Message);
    }
}
