using Emotion.Core.Data;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Losses;

public class CrossEntropyTests
{
    public static TheoryData<string> Cases => new() { "plain", "smoothing", "weighted", "weighted_smoothing", "balanced_smoothing" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValueAndGradientMatchPytorch(string name)
    {
        using var scope = NewDisposeScope();
        var c = LossFixtures.Case("crossEntropy", name);
        var shape = c.Shape();
        var logits = torch.tensor(c.Floats("logits"), shape).requires_grad_();
        var targetValues = c.Longs("targets");
        var targets = torch.tensor(targetValues, [shape[0], shape[1]]);
        Tensor? weights = c.GetProperty("classWeights").ValueKind == System.Text.Json.JsonValueKind.Null ? null : torch.tensor(c.Floats("classWeights"));
        long labeled = targetValues.Count(t => t >= 0);

        var loss = LossFunctions.CrossEntropy(logits, targets, weights, c.GetProperty("labelSmoothing").GetDouble(), labeled);
        loss.backward();

        TensorAssert.Close(c.GetProperty("loss").GetDouble(), loss, 1e-5, $"{name} loss");
        TensorAssert.Close(c.Floats("grad"), logits.grad!, 1e-5, $"{name} d loss / d logits");
    }

    [Fact]
    public void TwoClassValueByHand()
    {
        using var scope = NewDisposeScope();
        // logits [0, ln 3] -> softmax [1/4, 3/4]; target 1 -> -ln(3/4); target 0 -> -ln(1/4); mean of both frames.
        var logits = torch.tensor(new float[] { 0, MathF.Log(3), 0, MathF.Log(3), 5, 5 }, [1, 3, 2]);
        var targets = torch.tensor(new long[] { 1, 0, -1 }, [1, 3]);
        var loss = LossFunctions.CrossEntropy(logits, targets, null, 0, 2);
        double expected = (-Math.Log(0.75) - Math.Log(0.25)) / 2;
        Assert.Equal(expected, loss.item<float>(), 5);

        // Label smoothing e = 0.2 with K = 2: (1 - e) * NLL + e/2 * (sum over classes of -log p) per frame, averaged.
        var smoothed = LossFunctions.CrossEntropy(logits, targets, null, 0.2, 2);
        double smooth = 0.1 * (-Math.Log(0.25) - Math.Log(0.75));
        Assert.Equal(0.8 * expected + smooth, smoothed.item<float>(), 5);

        // Class weights [1, 3]: (3 * -ln 3/4 + 1 * -ln 1/4) / (3 + 1).
        var weighted = LossFunctions.CrossEntropy(logits, targets, torch.tensor(new float[] { 1, 3 }), 0, 2);
        Assert.Equal((3 * -Math.Log(0.75) - Math.Log(0.25)) / 4, weighted.item<float>(), 5);
    }

    [Fact]
    public void NoLabeledFrameGivesZeroLossAndZeroGradient()
    {
        using var scope = NewDisposeScope();
        var logits = torch.randn(2, 3, 7).requires_grad_();
        var targets = torch.full(new long[] { 2, 3 }, -1, dtype: ScalarType.Int64);
        var loss = LossFunctions.CrossEntropy(logits, targets, null, 0.1, 0);
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.Equal(0f, logits.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void EmotionLossIgnoresPaddingUnlabeledAndOtherFrames()
    {
        using var scope = NewDisposeScope();
        var batch = new SequenceBatch(1, 4, 1, 1);
        // Frame 0: happiness; frame 1: Other (7, not a class of a 7-class model); frame 2: unlabeled; frame 3: padding with a stale label.
        batch.FrameMask[0] = batch.FrameMask[1] = batch.FrameMask[2] = true;
        batch.Categories[0] = 4;
        batch.Categories[1] = 7;
        batch.Categories[3] = 2;
        using var targets = EmotionTargets.FromBatch(batch);
        Assert.Equal(1, targets.LabeledCategoryFrames);
        Assert.Equal([4L, -1, -1, -1], targets.Categories.data<long>().ToArray());

        var logits = torch.randn(1, 4, 7);
        using var output = new EmotionOutput(torch.zeros(1, 4, 1), logits.alias(), null);
        using var loss = new EmotionLoss(LossSpec.DefaultFor(Emotion.Core.EmotionTask.Categorical));
        using var result = loss.Compute(output, targets);
        float expected = -nn.functional.log_softmax(logits[0, 0], 0)[4].item<float>();
        Assert.Equal(expected, result.Total.item<float>(), 5);
        Assert.Equal(expected, result.ToValues().Terms["ce"], 5);
    }
}
