namespace Emotion.Core.Tests;

public class CoreTypesTests
{
    [Fact]
    public void CategoryNamesRoundTrip()
    {
        foreach (var c in EmotionCategories.WithOther)
            Assert.Equal(c, EmotionCategories.Parse(c.ToName()));
        Assert.Equal(EmotionCategory.Happiness, EmotionCategories.Parse(" Happiness "));
        Assert.Equal(EmotionCategory.Surprise, EmotionCategories.FromIndex(6));
        Assert.Equal(EmotionCategory.Other, EmotionCategories.FromIndex(7, 8));
        Assert.Throws<FormatException>(() => EmotionCategories.Parse("joy"));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmotionCategories.FromIndex(7));
        Assert.Equal(7, EmotionCategories.Basic.Length);
    }

    [Fact]
    public void FrameLabelValidatesRange()
    {
        var label = new FrameLabel(EmotionCategory.Fear, -1f, 1f);
        Assert.True(label.HasValenceArousal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameLabel(null, 1.01f, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameLabel(null, 0f, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameLabel((EmotionCategory)9));
        Assert.False(FrameLabel.Unlabeled.IsLabeled);
    }

    [Fact]
    public void ModelInfoJsonRoundTrip()
    {
        var info = new EmotionModelInfo { Task = EmotionTask.Combined, FrameSize = 112, Normalization = Normalization.ImageNet, SequenceLength = 8 };
        var back = EmotionModelInfo.FromJson(info.ToJson());
        Assert.Equal(info.Task, back.Task);
        Assert.Equal(info.FrameSize, back.FrameSize);
        Assert.Equal(info.Normalization, back.Normalization);
        Assert.Equal(info.Categories.ToArray(), back.Categories.ToArray());
        Assert.Contains("\"combined\"", info.ToJson());
        Assert.Throws<FormatException>(() => EmotionModelInfo.FromJson("{\"task\":\"combined\",\"frameSize\":0,\"normalization\":{\"mean\":{\"r\":0,\"g\":0,\"b\":0},\"std\":{\"r\":1,\"g\":1,\"b\":1}}}"));
    }
}
