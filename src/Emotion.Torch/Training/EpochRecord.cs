using System.Collections.Immutable;
using Emotion.Core.Metrics;

namespace Emotion.Torch.Training;

/// <summary>One row of a <see cref="TrainingHistory"/>: what an epoch did and how the model scored after it.</summary>
public sealed record EpochRecord
{
    /// <summary>The epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>Optimizer steps done in the run at the end of the epoch.</summary>
    public required long GlobalStep { get; init; }

    /// <summary>The head's learning rate at the epoch's last step.</summary>
    public double LearningRate { get; init; }

    /// <summary>Mean training batch loss (weighted total).</summary>
    public double TrainLoss { get; init; }

    /// <summary>Mean unweighted training loss terms by name.</summary>
    public ImmutableDictionary<string, double> TrainLossTerms { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>Real training frames seen in the epoch.</summary>
    public long TrainFrames { get; init; }

    /// <summary>Mean validation batch loss, or null without validation data.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Mean unweighted validation loss terms by name (empty without validation data).</summary>
    public ImmutableDictionary<string, double> ValidationLossTerms { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>The validation metrics (CCC of valence and arousal, macro F1, accuracy, ABAW scores), or null without validation data.</summary>
    public EmotionMetricsReport? Validation { get; init; }

    /// <summary>The name of the monitored metric.</summary>
    public string Monitor { get; init; } = MonitorMetric.Loss;

    /// <summary>The monitored metric's value after this epoch, or null when it could not be computed (no scored frame).</summary>
    public double? MonitorValue { get; init; }

    /// <summary>Whether this epoch improved the monitored metric (and was saved as the best checkpoint).</summary>
    public bool IsBest { get; init; }

    /// <summary>Wall-clock seconds of the epoch, validation included.</summary>
    public double Seconds { get; init; }

    /// <summary>Training frames per second (data loading included, validation excluded).</summary>
    public double FramesPerSecond { get; init; }
}
