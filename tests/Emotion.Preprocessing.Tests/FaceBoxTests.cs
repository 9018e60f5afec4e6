using Emotion.Preprocessing.Transforms;

namespace Emotion.Preprocessing.Tests;

public sealed class FaceBoxTests
{
    [Fact]
    public void Expand_grows_each_side_by_the_margin_times_the_size()
    {
        var box = new FaceBox(100, 50, 40, 20).Expand(0.25f); // 10 px left/right, 5 px top/bottom
        Assert.Equal(new FaceBox(90, 45, 60, 30), box);
        Assert.Equal(new FaceBox(100, 50, 40, 20), new FaceBox(100, 50, 40, 20).Expand(0f));
    }

    [Fact]
    public void Expand_then_clamp_matches_clamp_with_margin()
    {
        var box = new FaceBox(10.5f, 20.25f, 33f, 41f);
        Assert.Equal(box.ClampTo(64, 80, 0.2f), box.Expand(0.2f).ClampTo(64, 80));
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void Expand_rejects_margins_that_empty_the_box(float margin) =>
        Assert.Throws<ArgumentOutOfRangeException>("margin", () => new FaceBox(0, 0, 10, 10).Expand(margin));
}
