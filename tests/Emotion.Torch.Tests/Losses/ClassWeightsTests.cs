using Emotion.Core.Data;
using Emotion.Torch.Losses;

namespace Emotion.Torch.Tests.Losses;

public class ClassWeightsTests
{
    [Fact]
    public void BalancedMatchesScikitLearn()
    {
        var all = LossFixtures.Cases("balancedWeights").First();
        var weights = ClassWeights.Balanced(all.Longs("counts"));
        var expected = all.Floats("weights");
        Assert.Equal(expected.Length, weights.Length);
        for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], weights[c], 5);
    }

    [Fact]
    public void BalancedGivesAbsentClassesWeightOneAndMatchesScikitLearnOnPresentOnes()
    {
        var partial = LossFixtures.Cases("balancedWeights").Last();
        var weights = ClassWeights.Balanced(partial.Longs("counts"));
        var present = partial.Longs("presentClasses");
        var expected = partial.Floats("weights");
        for (int i = 0; i < present.Length; i++) Assert.Equal(expected[i], weights[present[i]], 5);
        foreach (int absent in new[] { 1, 2, 3, 5 }) Assert.Equal(1f, weights[absent]);
    }

    [Fact]
    public void BalancedByHandAndErrors()
    {
        // 3 frames of class 0, 1 of class 1: N = 4, K = 2 -> 4/(2*3), 4/(2*1).
        Assert.Equal([4f / 6f, 2f], ClassWeights.Balanced([3L, 1L]));
        Assert.Throws<ArgumentException>(() => ClassWeights.Balanced([0L, 0L]));
        Assert.Throws<ArgumentException>(() => ClassWeights.Balanced([1L, -1L]));
    }

    [Fact]
    public void CountSkipsUnlabeledAndOutOfRangeLabels()
    {
        var batch = new SequenceBatch(1, 5, 2, 2);
        int[] labels = [0, -1, 6, 7, 6];
        labels.CopyTo(batch.Categories, 0);
        Assert.Equal([1L, 0, 0, 0, 0, 0, 2], ClassWeights.Count([batch], 7));
    }
}
