using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Losses;

public class ValenceArousalLossTests
{
    public static TheoryData<string> Cases => new() { "ccc_equal", "ccc_weighted", "ccc_one_arousal_frame", "mse_equal", "mse_weighted" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValueAndGradientMatchPytorchAutograd(string name)
    {
        using var scope = NewDisposeScope();
        var c = LossFixtures.Case("valenceArousal", name);
        var shape = c.Shape();
        var predictions = torch.tensor(c.Floats("predictions"), shape).requires_grad_();
        var targets = torch.tensor(c.Floats("targets"), shape);
        var mask = torch.tensor(c.Floats("mask"), shape);
        long[] counts = c.Longs("counts");
        float[] dims = c.GetProperty("dimensionWeights").ValueKind == System.Text.Json.JsonValueKind.Null ? [] : c.Floats("dimensionWeights");

        var loss = c.GetProperty("kind").GetString() == "ccc"
            ? LossFunctions.Concordance(predictions, targets, mask, counts, dims)
            : LossFunctions.MeanSquaredError(predictions, targets, mask, counts, dims);
        loss.backward();

        TensorAssert.Close(c.GetProperty("loss").GetDouble(), loss, 2e-5, $"{name} loss");
        TensorAssert.Close(c.Floats("grad"), predictions.grad!, 2e-5, $"{name} d loss / d predictions");
    }

    [Fact]
    public void CccByHand()
    {
        using var scope = NewDisposeScope();
        var ones = torch.ones(3, 1);
        // Identical series: CCC 1, loss 0.
        var x = torch.tensor(new float[] { 1, 2, 3 }, [3, 1]);
        Assert.Equal(0f, LossFunctions.Concordance(x, x, ones, [3]).item<float>(), 6);
        // Reversed series: cov = -2/3, var = 2/3 each, equal means -> CCC = -1, loss 2.
        var reversed = torch.tensor(new float[] { 3, 2, 1 }, [3, 1]);
        Assert.Equal(2f, LossFunctions.Concordance(x, reversed, ones, [3]).item<float>(), 5);
        // Shifted by 1: cov = var = 2/3, (mean diff)^2 = 1 -> CCC = (4/3) / (4/3 + 1) = 4/7.
        var shifted = x + 1;
        Assert.Equal(1 - 4f / 7f, LossFunctions.Concordance(x, shifted, ones, [3]).item<float>(), 5);
        // Masked: the third pair (a wild outlier) is not labeled, so the loss is that of the first two: identical -> 0.
        var outlier = torch.tensor(new float[] { 1, 2, 100 }, [3, 1]);
        var mask = torch.tensor(new float[] { 1, 1, 0 }, [3, 1]);
        Assert.Equal(0f, LossFunctions.Concordance(x, outlier, mask, [2]).item<float>(), 5);
    }

    [Fact]
    public void CccWithFewerThanTwoFramesContributesZeroWithoutNan()
    {
        using var scope = NewDisposeScope();
        var p = torch.tensor(new float[] { 0.1f, 0.5f, -0.2f, 0.3f }, [2, 2]).requires_grad_();
        var y = torch.tensor(new float[] { 0.4f, 0.1f, 0, 0 }, [2, 2]);
        var m = torch.tensor(new float[] { 1, 1, 0, 0 }, [2, 2]);
        var loss = LossFunctions.Concordance(p, y, m, [1, 1]);
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.Equal(0f, p.grad!.abs().sum().item<float>());
        var mse = LossFunctions.MeanSquaredError(p, y, torch.zeros(2, 2), [0, 0]);
        Assert.Equal(0f, mse.item<float>());
    }

    [Fact]
    public void CombinedTotalIsTheWeightedSumAndSequenceToOneUsesTheLastRealFrame()
    {
        using var scope = NewDisposeScope();
        var batch = new SequenceBatch(3, 4, 1, 1);
        var random = new Random(5);
        int[] lengths = [4, 2, 3];
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < lengths[b]; t++)
            {
                batch.FrameMask[b * 4 + t] = true;
                batch.SetLabel(b, t, new FrameLabel((EmotionCategory)random.Next(7), random.NextSingle() * 2 - 1, random.NextSingle() * 2 - 1));
            }
        // A stale label on a padding frame must not be taken as the "last" frame.
        batch.SetLabel(1, 3, new FrameLabel(EmotionCategory.Anger, 0.9f, 0.9f));
        using var targets = EmotionTargets.FromBatch(batch);
        var spec = new LossBuilder().CrossEntropy(weight: 0.7).Ccc(weight: 1.5).Mse(weight: 0.2).Build();
        using var loss = new EmotionLoss(spec);

        // Sequence-to-one output [B, 1, ...].
        var logits = torch.randn(3, 1, 7, generator: new Generator(1));
        var va = torch.rand(3, 1, 2, generator: new Generator(2)) * 2 - 1;
        using var output = new EmotionOutput(torch.zeros(3, 1, 4), logits.alias(), va.alias());
        using var result = loss.Compute(output, targets);

        int[] last = [3, 1, 2];
        var lastCats = torch.tensor(last.Select((t, b) => (long)batch.Categories[b * 4 + t]).ToArray());
        var lastVa = torch.tensor(last.SelectMany((t, b) => new[] { batch.Valence[b * 4 + t], batch.Arousal[b * 4 + t] }).ToArray(), [3, 2]);
        float ce = nn.functional.cross_entropy(logits.reshape(3, 7), lastCats).item<float>();
        float ccc = LossFunctions.Concordance(va.reshape(3, 2), lastVa, torch.ones(3, 2), [3, 3]).item<float>();
        float mse = ((va.reshape(3, 2) - lastVa).pow(2).mean()).item<float>();
        var values = result.ToValues();
        Assert.Equal(ce, values.Terms["ce"], 5);
        Assert.Equal(ccc, values.Terms["ccc"], 5);
        Assert.Equal(mse, values.Terms["mse"], 5);
        Assert.Equal(0.7 * ce + 1.5 * ccc + 0.2 * mse, values.Total, 4);
    }

    [Fact]
    public void MissingOutputsAndBadShapesAreReported()
    {
        using var scope = NewDisposeScope();
        var batch = new SequenceBatch(2, 3, 1, 1);
        using var targets = EmotionTargets.FromBatch(batch);
        using var loss = new EmotionLoss(LossSpec.DefaultFor(EmotionTask.Combined));
        using var noVa = new EmotionOutput(torch.zeros(2, 3, 1), torch.zeros(2, 3, 7), null);
        Assert.Contains("no valence/arousal", Assert.Throws<ArgumentException>(() => loss.Compute(noVa, targets)).Message);
        using var wrongT = new EmotionOutput(torch.zeros(2, 2, 1), torch.zeros(2, 2, 7), torch.zeros(2, 2, 2));
        Assert.Contains("returned 2 steps", Assert.Throws<ArgumentException>(() => loss.Compute(wrongT, targets)).Message);
        Assert.Contains("balanced class weights",
            Assert.Throws<ArgumentException>(() => new EmotionLoss(new LossBuilder().CrossEntropy(1, 0, ClassWeighting.Balanced).Build())).Message);
        var nanBatch = new SequenceBatch(1, 2, 1, 1);
        nanBatch.FrameMask[1] = true;
        nanBatch.ValenceMask[1] = true;
        nanBatch.Valence[1] = float.NaN;
        nanBatch.VideoIds[0] = "clip7";
        Assert.Contains("('clip7'), frame 1", Assert.Throws<ArgumentException>(() => EmotionTargets.FromBatch(nanBatch)).Message);
    }
}
