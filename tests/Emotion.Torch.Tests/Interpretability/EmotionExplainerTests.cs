using Emotion.Core;
using Emotion.Torch.Heads;
using Emotion.Torch.Interpretability;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

public class EmotionExplainerTests
{
    public static TheoryData<string> Methods() => ["gradcam", "gradcam++", "hirescam", "saliency"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void MapsConcentrateOnTheRegionTheTargetDependsOn(string methodName)
    {
        using var model = RegionModel.Create();
        using var input = RegionModel.Input(seed: 5);
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Parse(methodName) });
        var anger = explainer.Explain(input, new CategoryTarget(EmotionCategory.Anger));
        var happiness = explainer.Explain(input, new CategoryTarget(EmotionCategory.Happiness));
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 2; t++)
            {
                Assert.True(RegionModel.MassInside(anger.Map(b, t), RegionModel.InA) > 0.99, $"{methodName}: anger map of [{b},{t}] is not inside region A");
                Assert.True(RegionModel.MassInside(happiness.Map(b, t), RegionModel.InB) > 0.99, $"{methodName}: happiness map of [{b},{t}] is not inside region B");
                float max = 0, min = 1;
                foreach (float v in anger.Map(b, t)) { max = Math.Max(max, v); min = Math.Min(min, v); }
                Assert.InRange(max, 0.999f, 1f);
                Assert.Equal(0f, min);
            }
    }

    [Fact]
    public void FrameSequenceAndBatchEntryPointsAgree()
    {
        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        var explainer = new EmotionExplainer(model);
        Assert.Equal("relu2", explainer.LayerName);
        var batch = explainer.Explain(input, ExplanationTargets.Valence);
        using var second = input[1];
        var sequence = explainer.ExplainSequence(second, ExplanationTargets.Valence);
        Assert.Equal(TinyCamModel.Frames, sequence.FrameCount);
        for (int t = 0; t < TinyCamModel.Frames; t++)
            Assert.True(Close(batch.Map(1, t), sequence.Map(0, t)), $"frame {t}");

        // A single frame is a sequence of one: its map equals frame 0's map (the GRU starts from zero either way).
        using var first = input[0, 0];
        var frame = explainer.ExplainFrame(first, ExplanationTargets.Valence);
        Assert.Equal((1, 1), (frame.BatchSize, frame.FrameCount));
        Assert.True(Close(batch.Map(0, 0), frame.Map(0, 0)));
    }

    [Fact]
    public void SameFrameMapsDifferFromAllFramesMapsThroughTheRecurrentHead()
    {
        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        var same = new EmotionExplainer(model, new ExplanationOptions { Normalize = false }).Explain(input, new CategoryTarget(4));
        var all = new EmotionExplainer(model, new ExplanationOptions { Normalize = false, SequenceMode = SequenceTargetMode.AllFrames }).Explain(input, new CategoryTarget(4));
        // The last frame only influences the last output, so its map is the same in both modes; earlier frames also feed later outputs.
        Assert.True(Close(same.Map(0, 2), all.Map(0, 2)));
        Assert.False(Close(same.Map(0, 0), all.Map(0, 0)));
    }

    [Fact]
    public void RawMapsKeepTheMethodsScale()
    {
        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        var raw = new EmotionExplainer(model, new ExplanationOptions { Normalize = false }).Explain(input, new CategoryTarget(4));
        var normalized = new EmotionExplainer(model).Explain(input, new CategoryTarget(4));
        Assert.False(raw.Normalized);
        // Normalised = (raw - min) / (max - min + 1e-7) per frame.
        var r = raw.Map(0, 1);
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in r) { min = Math.Min(min, v); max = Math.Max(max, v); }
        var n = normalized.Map(0, 1);
        for (int i = 0; i < r.Length; i++) Assert.Equal((r[i] - min) / (max - min + 1e-7f), n[i], 4);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        using var model = TinyCamModel.Create();
        var missing = Assert.Throws<ArgumentException>(() => new EmotionExplainer(model, new ExplanationOptions { Layer = "layer4" }));
        Assert.Contains("layer4", missing.Message);
        Assert.Contains("conv2", missing.Message);
        Assert.Contains("relu2", missing.Message);

        var explainer = new EmotionExplainer(model);
        using var input = TinyCamModel.Input();
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => explainer.Explain(input, new CategoryTarget(7)));
        Assert.Contains("7 categories", range.Message);

        using var wrongSize = zeros(new long[] { 1, 2, 3, 16, 16 });
        var size = Assert.Throws<ArgumentException>(() => explainer.Explain(wrongSize, new CategoryTarget(0)));
        Assert.Contains("12, 12", size.Message);
        Assert.Contains("16, 16", size.Message);
        using var wrongRank = zeros(new long[] { 3, 12, 12, 1 });
        Assert.Throws<ArgumentException>(() => explainer.ExplainSequence(wrongRank, new CategoryTarget(0)));

        using var categorical = TinyCamModel.Create(EmotionTask.Categorical);
        var va = Assert.Throws<ArgumentException>(() => new EmotionExplainer(categorical).Explain(input, ExplanationTargets.Valence));
        Assert.Contains("categorical", va.Message);
        using var vaModel = TinyCamModel.Create(EmotionTask.ValenceArousal);
        Assert.Throws<ArgumentException>(() => new EmotionExplainer(vaModel).Explain(input, new CategoryTarget(EmotionCategory.Fear)));

        Assert.Throws<FormatException>(() => ExplanationTargets.Parse("joy"));
        Assert.Throws<FormatException>(() => ExplanationMethods.Parse("lime"));
        var badTarget = new FunctionTarget("scalar", o => o.Logits!.sum());
        Assert.Throws<InvalidOperationException>(() => explainer.Explain(input, badTarget));
    }

    [Fact]
    public void UserFunctionTargetEqualsTheBuiltInTarget()
    {
        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.GradCamPlusPlus });
        var builtIn = explainer.Explain(input, new CategoryTarget(2));
        var custom = explainer.Explain(input, new FunctionTarget("disgust-logit", o => o.Logits!.select(-1, 2)));
        Assert.True(Close(builtIn.Maps, custom.Maps));
        Assert.Equal("disgust-logit", custom.Target);
    }

    [Fact]
    public void SequenceToOneModelsExplainTheirSingleOutput()
    {
        using var model = TinyCamModel.Create(head: HeadSpec.Gru(hidden: 4, output: SequenceOutput.LastStep));
        using var input = TinyCamModel.Input();
        var result = new EmotionExplainer(model).Explain(input, ExplanationTargets.Arousal);
        Assert.Equal(SequenceTargetMode.LastFrame, result.SequenceMode);
        Assert.Equal(1, result.ScoreFrames);
        Assert.Equal(TinyCamModel.Frames, result.FrameCount);
    }

    [Fact]
    public void DeletionFallsFasterAndInsertionRisesFasterForFaithfulMaps()
    {
        using var model = RegionModel.Create();
        using var input = RegionModel.Input(seed: 9);
        var target = new CategoryTarget(EmotionCategory.Anger);
        var options = new FaithfulnessOptions { Steps = 16, Baseline = FaithfulnessBaseline.Zero };
        var gradCam = new EmotionExplainer(model).Explain(input, target);
        // A wrong map (the happiness explanation, in region B) is a control that should do worse.
        var wrong = new EmotionExplainer(model).Explain(input, new CategoryTarget(EmotionCategory.Happiness));

        var deletion = FaithfulnessCurve.Deletion(model, input, gradCam, target, options);
        var wrongDeletion = FaithfulnessCurve.Deletion(model, input, wrong, target, options);
        var insertion = FaithfulnessCurve.Insertion(model, input, gradCam, target, options);
        var wrongInsertion = FaithfulnessCurve.Insertion(model, input, wrong, target, options);

        Assert.Equal(17, deletion.Scores.Length);
        Assert.Equal(0.0, deletion.Fractions[0]);
        Assert.Equal(1.0, deletion.Fractions[^1]);
        // With a zero baseline the anger logit (bias 0, everything removed) falls to exactly 0.
        Assert.Equal(0.0, deletion.Scores[^1], 6);
        Assert.Equal(0.0, insertion.Scores[0], 6);
        Assert.Equal(deletion.Scores[0], insertion.Scores[^1], 5);
        // Region A is 30 of 256 pixels: the faithful map removes all of it within the first step (16 pixels) or two.
        Assert.True(deletion.Scores[2] < 1e-6, $"deletion after 2 steps: {deletion.Scores[2]}");
        Assert.True(deletion.Area < 0.5 * wrongDeletion.Area, $"deletion areas {deletion.Area} vs {wrongDeletion.Area}");
        Assert.True(insertion.Area > 1.5 * wrongInsertion.Area, $"insertion areas {insertion.Area} vs {wrongInsertion.Area}");
        // Trapezoidal area by hand.
        double area = 0;
        for (int k = 1; k < deletion.Scores.Length; k++) area += (deletion.Scores[k] + deletion.Scores[k - 1]) / 2 / 16;
        Assert.Equal(area, deletion.Area, 9);

        using var other = zeros(new long[] { 1, 2, 3, 16, 16 });
        Assert.Throws<ArgumentException>(() => FaithfulnessCurve.Deletion(model, other, gradCam, target));
    }

    private static bool Close(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (Math.Abs(a[i] - b[i]) > 1e-5f) return false;
        return true;
    }

    [Fact]
    public void AFrozenBackboneIsExplainedAsATrainableOne()
    {
        using var model = Emotion.Torch.Models.EmotionModel.Create().WithInput(frames: 2, size: 32).WithBackbone(Emotion.Torch.Backbones.BackboneSpec.SmallCnn())
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8)).ForTask(EmotionTask.Categorical).WithSeed(3).Build();
        using var input = rand(new long[] { 1, 2, 3, 32, 32 }, generator: new Generator(4)) * 2 - 1;
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Layer = "block3", Method = ExplanationMethods.HiResCam });
        var trainable = explainer.Explain(input, new CategoryTarget(EmotionCategory.Fear));
        model.Backbone.FreezeAll();
        var frozen = explainer.Explain(input, new CategoryTarget(EmotionCategory.Fear));
        Assert.True(trainable.Map(0, 1).ToArray().Max() > 0.99f);
        Assert.Equal(trainable.Map(0, 1).ToArray(), frozen.Map(0, 1).ToArray());

        var constant = new FunctionTarget("constant", o => zeros(o.Logits!.shape[0], o.Logits.shape[1]));
        var error = Assert.Throws<InvalidOperationException>(() => explainer.Explain(input, constant));
        Assert.Contains("does not depend on layer 'block3'", error.Message);
    }
}
