using System.Collections.Immutable;

namespace Emotion.Torch.Training;

/// <summary>
/// A progress report of a <see cref="Trainer"/> (through <see cref="IProgress{T}"/>): where the run is, the latest loss,
/// learning rate, throughput and estimated time left; at the end of an epoch, its <see cref="EpochRecord"/>.
/// </summary>
public sealed record TrainingProgress
{
    /// <summary>What the report is about.</summary>
    public required TrainingPhase Phase { get; init; }

    /// <summary>The epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>The number of epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Optimizer steps done in this epoch.</summary>
    public int Step { get; init; }

    /// <summary>Steps per epoch, when known (from the batch source, or from the first epoch).</summary>
    public int? StepsPerEpoch { get; init; }

    /// <summary>Optimizer steps done in the whole run (continues after a resume).</summary>
    public long GlobalStep { get; init; }

    /// <summary>The loss of the latest batch (weighted total).</summary>
    public double Loss { get; init; }

    /// <summary>The mean batch loss of the epoch so far.</summary>
    public double AverageLoss { get; init; }

    /// <summary>The unweighted terms of the latest batch's loss by name (<c>ce</c>, <c>ccc</c>, <c>mse</c>).</summary>
    public ImmutableDictionary<string, double> LossTerms { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>The head's learning rate at the latest step.</summary>
    public double LearningRate { get; init; }

    /// <summary>Real (non-padding) training frames per second over this epoch so far, data loading included.</summary>
    public double FramesPerSecond { get; init; }

    /// <summary>Time since the run (or the resumed run) started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the end of the run (training steps only), when the steps per epoch are known.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>The epoch's record, for <see cref="TrainingPhase.EpochCompleted"/>.</summary>
    public EpochRecord? EpochRecord { get; init; }
}
