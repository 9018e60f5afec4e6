using Emotion.Core.Faces;

namespace Emotion.Core.Tests.Faces;

public sealed class FaceBoxTests
{
    [Fact]
    public void ExpandGrowsEachSideByTheMarginTimesTheSize()
    {
        var box = new FaceBox(100, 50, 40, 20).Expand(0.25f); // 10 px left/right, 5 px top/bottom
        Assert.Equal(new FaceBox(90, 45, 60, 30), box);
        Assert.Equal(new FaceBox(100, 50, 40, 20), new FaceBox(100, 50, 40, 20).Expand(0f));
    }

    [Fact]
    public void ExpandThenClampMatchesClampWithMargin()
    {
        var box = new FaceBox(10.5f, 20.25f, 33f, 41f);
        Assert.Equal(box.ClampToPixels(64, 80, 0.2f), box.Expand(0.2f).ClampToPixels(64, 80));
    }

    [Fact]
    public void ClampToPixelsRoundsOutwardsThenCutsAtTheImage()
    {
        // x 1.5..4.7 -> pixels 1..5, y 2.2..4.3 -> 2..5 (floor of the left/top edge, ceiling of the right/bottom edge).
        Assert.Equal((1, 2, 4, 3), new FaceBox(1.5f, 2.2f, 3.2f, 2.1f).ClampToPixels(40, 30));
        // x -10..20 cut at 0; margin 0.5 grows it by 15 px and 10 px per side: x -25..35 -> 0..35, y -5..35 -> 0..30.
        Assert.Equal((0, 5, 20, 20), new FaceBox(-10, 5, 30, 20).ClampToPixels(40, 30));
        Assert.Equal((0, 0, 35, 30), new FaceBox(-10, 5, 30, 20).ClampToPixels(40, 30, 0.5f));
        Assert.Throws<ArgumentException>(() => new FaceBox(50, 50, 10, 10).ClampToPixels(40, 30));
        Assert.Throws<ArgumentException>(() => new FaceBox(0, 0, 0, 10).ClampToPixels(40, 30));
        Assert.Throws<ArgumentOutOfRangeException>("margin", () => new FaceBox(0, 0, 10, 10).ClampToPixels(40, 30, -0.1f));
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void ExpandRejectsMarginsThatEmptyTheBox(float margin) =>
        Assert.Throws<ArgumentOutOfRangeException>("margin", () => new FaceBox(0, 0, 10, 10).Expand(margin));
}
