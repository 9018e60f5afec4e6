namespace Emotion.Torch.Training;

/// <summary>What a call of <see cref="Trainer.Fit"/> achieved.</summary>
public sealed record TrainingResult
{
    /// <summary>The run's history (every epoch, including those before a resume).</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Epochs completed in the run.</summary>
    public required int CompletedEpochs { get; init; }

    /// <summary>Optimizer steps taken in the run.</summary>
    public required long GlobalStep { get; init; }

    /// <summary>The monitored metric.</summary>
    public required string Monitor { get; init; }

    /// <summary>The best value of the monitored metric, or null when none could be computed.</summary>
    public double? BestValue { get; init; }

    /// <summary>The 1-based epoch of <see cref="BestValue"/> (0 when none).</summary>
    public int BestEpoch { get; init; }

    /// <summary>Whether early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The best checkpoint's folder, or null when nothing was written.</summary>
    public string? BestCheckpoint { get; init; }

    /// <summary>The last checkpoint's folder, or null when nothing was written.</summary>
    public string? LastCheckpoint { get; init; }
}
