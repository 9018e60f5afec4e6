using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using Emotion.Core;
using Emotion.Torch.Losses;

namespace Emotion.Torch.Training;

/// <summary>
/// Where a run stands, stored as <c>training.json</c> in every checkpoint (beside the model's <c>model.json</c> and
/// <c>weights.dat</c> and the optimizer's <c>optimizer.dat</c>), so that <see cref="Trainer.Resume"/> continues it.
/// </summary>
public sealed record TrainingState
{
    /// <summary>The layout version of this record.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Epochs completed (the checkpoint was taken at the end of this 1-based epoch).</summary>
    public required int Epoch { get; init; }

    /// <summary>Optimizer steps taken in the run.</summary>
    public required long GlobalStep { get; init; }

    /// <summary>Steps per epoch seen so far, when known.</summary>
    public int? StepsPerEpoch { get; init; }

    /// <summary>The monitored metric's name.</summary>
    public required string Monitor { get; init; }

    /// <summary>The best value of the monitored metric so far, or null when none was computed.</summary>
    public double? BestValue { get; init; }

    /// <summary>The 1-based epoch of <see cref="BestValue"/> (0 when none).</summary>
    public int BestEpoch { get; init; }

    /// <summary>Epochs since the last improvement (for early stopping).</summary>
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Whether the run stopped early.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The trainer's options (their <see cref="TrainerOptions.Loss"/> is the loss trained).</summary>
    public required TrainerOptions Options { get; init; }

    /// <summary>
    /// The loss trained: the same as <see cref="TrainerOptions.Loss"/> of <see cref="Options"/>. Checkpoints written while the loss
    /// was part of the model options (<c>model.json</c>) have it only here; <see cref="FromJson"/> moves it into the options.
    /// </summary>
    public required LossSpec Loss { get; init; }

    /// <summary>The training label counts used for balanced class weights (empty when not needed).</summary>
    public ImmutableArray<long> ClassCounts { get; init; } = [];

    /// <summary>Whether the checkpoint holds the optimizer's state (<c>optimizer.dat</c>).</summary>
    public bool HasOptimizerState { get; init; }

    /// <summary>The history up to this epoch.</summary>
    public TrainingHistory History { get; init; } = new();

    /// <summary>The version of the library that wrote the checkpoint.</summary>
    public string LibraryVersion { get; init; } = EmotionModelInfo.CurrentLibraryVersion;

    /// <summary>When the checkpoint was written (UTC).</summary>
    public DateTimeOffset SavedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>
    /// Parses JSON written by <see cref="ToJson"/>. A state written before <see cref="TrainerOptions.Loss"/> existed gets
    /// <see cref="Loss"/> as its options' loss, so that the options alone describe how the run trained.
    /// </summary>
    /// <exception cref="FormatException">The text is not a training state.</exception>
    public static TrainingState FromJson(string json)
        => EmotionJson.Deserialize<TrainingState>(json, "training state", Checked);

    private static TrainingState Checked(TrainingState state)
    {
        if (state.FormatVersion != 1) throw new FormatException($"Training state format {state.FormatVersion} is not supported (expected 1).");
        if (state.Epoch < 0 || state.GlobalStep < 0) throw new FormatException($"Training state has epoch {state.Epoch} and step {state.GlobalStep}; expected non-negative values.");
        if (state.Options is null) throw new FormatException("The training state has no trainer options (\"options\").");
        if (state.Loss is null) throw new FormatException("The training state has no loss description (\"loss\").");
        state.Options.Validate();
        state.Loss.Validate();
        return state.Options.Loss is null ? state with { Options = state.Options with { Loss = state.Loss } } : state;
    }
}
