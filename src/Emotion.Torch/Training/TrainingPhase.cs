namespace Emotion.Torch.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingPhase
{
    /// <summary>An optimizer step was taken.</summary>
    Step,
    /// <summary>The validation of an epoch started.</summary>
    Validating,
    /// <summary>An epoch ended (its record is in <see cref="TrainingProgress.EpochRecord"/>).</summary>
    EpochCompleted,
    /// <summary>The run ended (all epochs done or stopped early).</summary>
    Finished,
}
