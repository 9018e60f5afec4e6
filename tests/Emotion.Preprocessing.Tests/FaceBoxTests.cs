using Emotion.Preprocessing.Transforms;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Tests;

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
        Assert.Equal(box.ClampTo(64, 80, 0.2f), box.Expand(0.2f).ClampTo(64, 80));
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void ExpandRejectsMarginsThatEmptyTheBox(float margin) =>
        Assert.Throws<ArgumentOutOfRangeException>("margin", () => new FaceBox(0, 0, 10, 10).Expand(margin));
}
