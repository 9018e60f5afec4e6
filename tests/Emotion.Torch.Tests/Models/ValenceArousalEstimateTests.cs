using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Models;

public sealed class ValenceArousalEstimateTests
{
    private static EmotionModel Build(ValenceArousalSource source, EmotionTask task = EmotionTask.Combined) =>
        EmotionModel.Create()
            .WithInput(frames: 3, size: 16)
            .WithBackbone(BackboneSpec.SmallCnn(0.25))
            .WithRecurrentHead(HeadSpec.NoRecurrence())
            .ForTask(task)
            .WithValenceArousalSource(source)
            .WithSeed(3)
            .Build();

    [Fact]
    public void EstimatedValenceArousalIsTheProbabilityWeightedCircumplexPosition()
    {
        using var model = Build(ValenceArousalSource.CategoryExpectation);
        model.eval();
        Assert.Null(model.Regressor);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("regressor", StringComparison.Ordinal));
        Assert.Equal(ValenceArousalSource.CategoryExpectation, model.Info.ValenceArousalSource);

        using var frames = randn([2, 3, 3, 16, 16], generator: new Generator(5));
        using var output = model.forward(frames);
        var logits = output.Logits!.data<float>().ToArray();
        var va = output.ValenceArousal!.data<float>().ToArray();
        var reference = CircumplexReference.RussellMehrabian1977;
        for (int row = 0; row < 6; row++)
        {
            // Hand-computed: softmax of the row's logits, then sum_c p_c * (v_c, a_c) with Russell & Mehrabian's positions.
            var z = logits.AsSpan(row * 7, 7).ToArray();
            double max = z.Max(), sum = z.Sum(x => Math.Exp(x - max));
            double v = 0, a = 0;
            for (int c = 0; c < 7; c++)
            {
                double p = Math.Exp(z[c] - max) / sum;
                var position = reference[(EmotionCategory)c]!.Position;
                v += p * position.Valence;
                a += p * position.Arousal;
            }
            Assert.Equal(v, va[2 * row], 5);
            Assert.Equal(a, va[2 * row + 1], 5);
        }
    }

    [Fact]
    public void ACertainCategoryLandsOnItsReferencePosition()
    {
        var categories = EmotionCategories.Basic;
        var happy = new float[7];
        happy[(int)EmotionCategory.Happiness] = 1f;
        var point = CircumplexReference.RussellMehrabian1977.Expectation(happy, categories);
        Assert.Equal(0.81, point.Valence, 6);
        Assert.Equal(0.51, point.Arousal, 6);
        var even = Enumerable.Repeat(1f / 7, 7).ToArray();
        var mean = CircumplexReference.RussellMehrabian1977.Expectation(even, categories);
        Assert.Equal((0 - 0.51 - 0.60 - 0.64 + 0.81 - 0.63 + 0.40) / 7, mean.Valence, 6);
        Assert.Equal((0 + 0.59 + 0.35 + 0.60 + 0.51 - 0.27 + 0.67) / 7, mean.Arousal, 6);
        var other = Assert.Throws<ArgumentException>(() => CircumplexReference.RussellMehrabian1977.PositionMatrix(EmotionCategories.WithOther));
        Assert.Contains("other", other.Message);
    }

    [Fact]
    public void EstimatingValenceArousalNeedsACombinedModelWithTheBasicCategories()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(ValenceArousalSource.CategoryExpectation, EmotionTask.Categorical));
        Assert.Contains("combined", e.Message);
        var withOther = Assert.Throws<ArgumentException>(() => EmotionModel.Create().WithInput(2, 16).WithBackbone(BackboneSpec.SmallCnn(0.25))
            .WithOtherCategory().WithValenceArousalSource(ValenceArousalSource.CategoryExpectation).Build());
        Assert.Contains("'other' has no circumplex position", withOther.Message);
    }

    [Fact]
    public void TheSourceSurvivesSaveAndLoad()
    {
        using var model = Build(ValenceArousalSource.CategoryExpectation);
        using var temp = new TempFolder("emotion-va-source-");
        string dir = temp.Path;
        model.Save(dir);
        using var loaded = EmotionModel.Load(dir);
        Assert.Equal(model.Options, loaded.Options);
        Assert.Equal(ValenceArousalSource.CategoryExpectation, loaded.Info.ValenceArousalSource);
        Assert.Null(loaded.Regressor);
        var json = EmotionModelInfo.FromJson(loaded.Info.ToJson());
        Assert.Equal(ValenceArousalSource.CategoryExpectation, json.ValenceArousalSource);
    }
}
