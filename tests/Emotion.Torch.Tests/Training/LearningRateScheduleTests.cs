using Emotion.Torch.Training;

namespace Emotion.Torch.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void StepDecaysEveryNEpochs()
    {
        var s = LearningRateSchedule.Step(everyEpochs: 2, gamma: 0.5);
        Assert.Equal([1, 1, 0.5, 0.5, 0.25], Enumerable.Range(0, 5).Select(e => s.Factor(e, 0, 1000, 5)));
    }

    [Fact]
    public void CosineGoesFromOneToTheMinimumThroughTheMidpoint()
    {
        var s = LearningRateSchedule.Cosine(minFactor: 0.1);
        Assert.Equal(1.0, s.Factor(0, 0, 0, 4), 12);
        Assert.Equal(0.1 + 0.9 * 0.5, s.Factor(2, 0, 0, 4), 12);             // half way: cos(pi/2) = 0
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(Math.PI * 1.5 / 4)) / 2, s.Factor(1, 0.5, 0, 4), 12);
        Assert.Equal(0.1, s.Factor(4, 0, 0, 4), 12);
    }

    [Fact]
    public void WarmupIsLinearOverTheFirstStepsAndMultipliesTheShape()
    {
        var s = LearningRateSchedule.Step(1, 0.5).WithWarmup(4);
        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.0], Enumerable.Range(0, 5).Select(i => s.Factor(0, 0, i, 3)));
        Assert.Equal(0.5 * 0.25, s.Factor(1, 0, 0, 3), 12);
    }

    [Fact]
    public void InvalidValuesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.Step(0).Validate());
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.Step(1, 1.5).Validate());
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.Cosine(2).Validate());
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.Constant().WithWarmup(-1).Validate());
    }

    [Fact]
    public void TrainerOptionsRoundTripThroughJson()
    {
        var options = new TrainerOptions
        {
            Optimizer = OptimizerKind.Sgd, Momentum = 0.8, Nesterov = true, LearningRate = 0.01, BackboneLearningRate = 0.001,
            Schedule = LearningRateSchedule.Cosine(0.05).WithWarmup(100), GradientClipNorm = 2, Epochs = 30,
            MonitorMetric = "cccMean", EarlyStoppingPatience = 5, Seed = 42, OutputDirectory = "runs/x",
        };
        var json = options.ToJson();
        Assert.Contains("\"optimizer\": \"sgd\"", json);
        Assert.Equal(options, TrainerOptions.FromJson(json));
        Assert.Throws<FormatException>(() => TrainerOptions.FromJson("{\"epochs\": 0}"));
    }
}
