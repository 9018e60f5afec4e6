using Emotion.Core;
using Emotion.Torch.Losses;

namespace Emotion.Torch.Tests.Losses;

public class LossSpecTests
{
    [Fact]
    public void BuilderListsTermsInOrderWithTheirOptions()
    {
        var spec = new LossBuilder()
            .CrossEntropy(weight: 0.5, labelSmoothing: 0.1, classWeights: [1, 2, 3, 4, 5, 6, 7])
            .Ccc(weight: 2, dimensionWeights: [1, 3])
            .Mse(weight: 0.25)
            .Build();

        Assert.Equal([LossKind.CrossEntropy, LossKind.Ccc, LossKind.Mse], spec.Terms.Select(t => t.Kind));
        Assert.Equal(0.5, spec.Terms[0].Weight);
        Assert.Equal(0.1, spec.Terms[0].LabelSmoothing);
        Assert.Equal(ClassWeighting.Explicit, spec.Terms[0].ClassWeighting);
        Assert.Equal([1f, 3f], spec.Terms[1].DimensionWeights.ToArray());
        Assert.True(spec.NeedsCategories);
        Assert.True(spec.NeedsValenceArousal);
        Assert.Equal("0.5*ce(smoothing=0.1, classWeights=[1, 2, 3, 4, 5, 6, 7]) + 2*ccc(dims=[1, 3]) + 0.25*mse", spec.Describe());
    }

    [Fact]
    public void JsonRoundTripGivesAnEqualSpec()
    {
        var spec = new LossBuilder()
            .CrossEntropy(1, 0.2, ClassWeighting.Balanced)
            .CrossEntropy(0.3, 0, classWeights: [1, 1, 2, 1, 1, 1, 1])
            .Ccc(1, [2, 1])
            .Build();
        string json = spec.ToJson();
        Assert.Contains("\"kind\": \"crossEntropy\"", json);
        Assert.Contains("\"classWeighting\": \"balanced\"", json);
        var back = LossSpec.FromJson(json);
        Assert.Equal(spec, back);
        Assert.Equal(spec.GetHashCode(), back.GetHashCode());
        Assert.NotEqual(spec, new LossBuilder(spec).Mse().Build());
    }

    [Theory]
    [InlineData(EmotionTask.Categorical, true, false)]
    [InlineData(EmotionTask.ValenceArousal, false, true)]
    [InlineData(EmotionTask.Combined, true, true)]
    public void DefaultFitsItsTask(EmotionTask task, bool categories, bool va)
    {
        var spec = LossSpec.DefaultFor(task);
        Assert.Equal(categories, spec.NeedsCategories);
        Assert.Equal(va, spec.NeedsValenceArousal);
        spec.Validate(task, 7);
    }

    [Fact]
    public void ValidationSaysWhatToChange()
    {
        var ccc = new LossBuilder().Ccc().Build();
        var e = Assert.Throws<ArgumentException>(() => ccc.Validate(EmotionTask.Categorical));
        Assert.Contains("predicts no valence/arousal", e.Message);
        e = Assert.Throws<ArgumentException>(() => LossSpec.DefaultFor(EmotionTask.Categorical).Validate(EmotionTask.Combined));
        Assert.Contains("add .Ccc(...)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new LossBuilder().CrossEntropy(classWeights: [1, 2]).Build().Validate(classCount: 7));
        Assert.Contains("2 class weights but the model has 7", e.Message);
        Assert.Throws<ArgumentException>(() => new LossBuilder().CrossEntropy(labelSmoothing: 1.0));
        Assert.Throws<ArgumentException>(() => new LossBuilder().Ccc(weight: -1));
        Assert.Throws<ArgumentException>(() => new LossBuilder().Ccc(dimensionWeights: [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => new LossBuilder().Build());
        Assert.Throws<FormatException>(() => LossSpec.FromJson("{\"terms\": []}"));
        Assert.Throws<FormatException>(() => LossSpec.FromJson("{\"terms\": [{\"kind\": \"hinge\"}]}"));
    }
}
