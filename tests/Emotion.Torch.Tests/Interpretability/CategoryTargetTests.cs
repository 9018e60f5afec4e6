using Emotion.Core;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

public class CategoryTargetTests
{
    // Logits of one sequence of two frames over three categories.
    private static readonly float[] Logits = [1f, 2f, 0.5f, -1f, 0f, 3f];

    [Fact]
    public void LogitScoreSelectsTheCategorysLogitPerFrame()
    {
        using var output = Output();
        using var score = new CategoryTarget(1).Select(output);
        Assert.Equal(new long[] { 1, 2 }, score.shape);
        Assert.Equal([2f, 0f], score.data<float>().ToArray());
    }

    [Fact]
    public void LogProbabilityScoreIsTheLogitMinusTheLogOfTheSummedExponentials()
    {
        using var output = Output();
        using var score = ExplanationTargets.CategoryLogProbability(EmotionCategory.Anger).Select(output);
        // Hand-computed: frame 0: 2 - ln(e^1 + e^2 + e^0.5); frame 1: 0 - ln(e^-1 + e^0 + e^3).
        double f0 = 2 - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5)), f1 = 0 - Math.Log(Math.Exp(-1) + 1 + Math.Exp(3));
        var values = score.data<float>().ToArray();
        Assert.Equal(f0, values[0], 5);
        Assert.Equal(f1, values[1], 5);
    }

    [Fact]
    public void NamesSayWhichScoreIsExplained()
    {
        Assert.Equal("happiness", ExplanationTargets.Category(EmotionCategory.Happiness).Name);
        Assert.Equal("log p(happiness)", ExplanationTargets.CategoryLogProbability(EmotionCategory.Happiness).Name);
        Assert.Equal(CategoryScore.LogProbability, new CategoryTarget(2, CategoryScore.LogProbability).Score);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoryTarget(0, (CategoryScore)7));
    }

    [Fact]
    public void ContrastScoreIsTheDifferenceOfTwoLogits()
    {
        using var output = Output();
        using var score = new ContrastTarget(2, 0).Select(output);
        Assert.Equal(new long[] { 1, 2 }, score.shape);
        Assert.Equal([0.5f - 1f, 3f - (-1f)], score.data<float>().ToArray());
        Assert.Equal("disgust vs neutral", ExplanationTargets.Contrast(EmotionCategory.Disgust).Name);
        var parsed = Assert.IsType<ContrastTarget>(ExplanationTargets.Parse("Happiness-vs-Sadness"));
        Assert.Equal((int)EmotionCategory.Happiness, parsed.Category.ClassIndex);
        Assert.Equal((int)EmotionCategory.Sadness, parsed.Versus.ClassIndex);
        Assert.Throws<FormatException>(() => ExplanationTargets.Parse("happiness-vs-happiness"));
        Assert.Throws<FormatException>(() => ExplanationTargets.Parse("happiness-vs-joy"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastTarget(EmotionCategory.Fear, EmotionCategory.Fear));
    }

    [Fact]
    public void AContrastMapKeepsTheEvidenceForTheFirstCategoryAndDropsTheSecond()
    {
        // The region model's anger logit reads region A only and its happiness logit region B only: anger-vs-happiness has
        // positive evidence in A and negative in B, which HiResCAM's ReLU removes.
        using var model = RegionModel.Create();
        using var input = RegionModel.Input(seed: 9);
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.HiResCam });
        var maps = explainer.Explain(input, ExplanationTargets.Contrast(EmotionCategory.Anger, EmotionCategory.Happiness));
        Assert.Equal("anger vs happiness", maps.Target);
        Assert.True(RegionModel.MassInside(maps.Map(1, 0), RegionModel.InA) > 0.99);
        var tooBig = new ContrastTarget(1, 9);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => explainer.Explain(input, tooBig));
        Assert.Contains("out of range", error.Message);
    }

    private static EmotionOutput Output() =>
        new(zeros(1, 2, 4), tensor(Logits).reshape(1, 2, 3), valenceArousal: null);
}
