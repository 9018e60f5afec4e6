namespace Emotion.Torch.Training;

/// <summary>The shape of a <see cref="LearningRateSchedule"/> after its warm-up.</summary>
public enum ScheduleKind
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,
    /// <summary>Multiplied by <see cref="LearningRateSchedule.Gamma"/> every <see cref="LearningRateSchedule.StepEpochs"/> epochs.</summary>
    Step,
    /// <summary>Cosine annealing from the base rate to <see cref="LearningRateSchedule.MinFactor"/> times it over the run.</summary>
    Cosine,
}
