using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using Emotion.Core;
using Emotion.Torch.Losses;

namespace Emotion.Torch.Training;

/// <summary>
/// How a <see cref="Trainer"/> trains: the loss, optimizer, learning rates (a separate rate for the backbone's parameter group),
/// schedule, gradient clipping, precision, epochs, early stopping, seeding and where to write checkpoints and the history.
/// Immutable and JSON-serialisable (stored in every checkpoint).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>
    /// The loss to minimise (build one with <see cref="LossBuilder"/>: <c>new LossBuilder().CrossEntropy().Ccc(weight: 0.5).Build()</c>),
    /// or null for the task's default (<see cref="LossSpec.DefaultFor"/>: cross-entropy and/or CCC, weight 1 each). It must fit the
    /// model's task: every output the task has trained by a term, no term on an output it lacks.
    /// </summary>
    public LossSpec? Loss { get; init; }

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Base learning rate of the head and output layers (and of the backbone unless <see cref="BackboneLearningRate"/> is set).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Base learning rate of the backbone's parameters (for example a tenth of <see cref="LearningRate"/> when fine-tuning a pretrained CNN), or null for the same rate.</summary>
    public double? BackboneLearningRate { get; init; }

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD: use Nesterov momentum.</summary>
    public bool Nesterov { get; init; }

    /// <summary>The learning-rate schedule (constant by default).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant();

    /// <summary>Clip the global gradient norm (L2 over all parameters) to this value before each step, or null for no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>
    /// The arithmetic of the backbone's forward and backward passes: <see cref="TrainingPrecision.Float32"/> (default),
    /// <see cref="TrainingPrecision.BFloat16"/> or <see cref="TrainingPrecision.Float16"/> autocast (see <see cref="TrainingPrecision"/>).
    /// Weights, optimizer state, head, loss, validation and checkpoints stay float32 in every mode.
    /// </summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>Number of epochs (the total for the run, including epochs done before a resume).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The metric that selects the best checkpoint and drives early stopping (see <see cref="MonitorMetric"/>), or null for the task's default.</summary>
    public string? MonitorMetric { get; init; }

    /// <summary>Stop after this many epochs without improvement of the monitored metric, or null to run every epoch.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The smallest change of the monitored metric that counts as an improvement.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>
    /// The seed of TorchSharp's global generator, set at the start of every epoch to a value derived from (seed, epoch), so that
    /// dropout and any sampling are reproducible and a resumed run continues as an uninterrupted one; null to leave the generator alone.
    /// </summary>
    public long? Seed { get; init; } = 0;

    /// <summary>
    /// Stateful training, truncated back-propagation through time (<see cref="RecurrentStateCarry"/>): row b of each batch
    /// starts from the recurrent state (GRU: h; LSTM: h and c) that row b of the previous batch ended with, detached from
    /// its graph, where <see cref="Core.Data.SequenceBatch.ContinuesState"/> says the row continues it, and from zero
    /// elsewhere; the state is zero at the start of every epoch. The batches must be laid out as lanes
    /// (<c>SequenceLoaderOptions.Stateful</c>) and the head must be a unidirectional GRU or LSTM. Gradients stop at the
    /// window's first frame (the truncation is the window length) while the forward pass sees the whole lane's context.
    /// </summary>
    public bool Stateful { get; init; }

    /// <summary>Where checkpoints (<c>best/</c>, <c>last/</c>) and the history (<c>history.json</c>, <c>history.csv</c>) go, or null to write nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Save the <c>last</c> checkpoint after every epoch (true) or only when the run ends (false).</summary>
    public bool SaveLastEveryEpoch { get; init; } = true;

    /// <summary>Report <see cref="TrainingProgress"/> every this many optimizer steps (the last step of an epoch is always reported).</summary>
    public int ProgressEverySteps { get; init; } = 1;

    /// <summary>
    /// Settings of the caller stored with the run in every checkpoint (for example the command line's data and model options),
    /// so that a resumed run can reuse them or refuse a conflicting value; the trainer itself never reads them. Null for none.
    /// Compared by reference in record equality.
    /// </summary>
    public ImmutableSortedDictionary<string, string>? RunSettings { get; init; }

    /// <summary>Checks the values; with <paramref name="task"/>, also that the loss and the monitored metric fit it.</summary>
    /// <exception cref="ArgumentException">A value is out of range (the message names it).</exception>
    public TrainerOptions Validate(EmotionTask? task = null)
    {
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentException($"Optimizer {(int)Optimizer} is not defined; use Adam, AdamW or Sgd.", nameof(Optimizer));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"LearningRate is {LearningRate}; expected a positive number such as 1e-3.", nameof(LearningRate));
        if (BackboneLearningRate is { } b && (!(b >= 0) || !double.IsFinite(b)))
            throw new ArgumentException($"BackboneLearningRate is {b}; expected 0 or a positive number (null for the head's rate).", nameof(BackboneLearningRate));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay is {WeightDecay}; expected 0 or more.", nameof(WeightDecay));
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Momentum is {Momentum}; expected a value in [0, 1).", nameof(Momentum));
        if (Nesterov && (Optimizer != OptimizerKind.Sgd || Momentum <= 0))
            throw new ArgumentException("Nesterov momentum needs the Sgd optimizer with a positive Momentum.", nameof(Nesterov));
        if (Schedule is null) throw new ArgumentException("Schedule is null; use LearningRateSchedule.Constant().", nameof(Schedule));
        Schedule.Validate();
        if (GradientClipNorm is { } c && !(c > 0)) throw new ArgumentException($"GradientClipNorm is {c}; expected a positive norm (null for no clipping).", nameof(GradientClipNorm));
        if (!Enum.IsDefined(Precision)) throw new ArgumentException($"Precision {(int)Precision} is not defined; use Float32, BFloat16 or Float16.", nameof(Precision));
        if (Epochs <= 0) throw new ArgumentException($"Epochs is {Epochs}; expected at least 1.", nameof(Epochs));
        if (EarlyStoppingPatience is { } p && p <= 0) throw new ArgumentException($"EarlyStoppingPatience is {p}; expected at least 1 (null to disable).", nameof(EarlyStoppingPatience));
        if (!(EarlyStoppingMinDelta >= 0)) throw new ArgumentException($"EarlyStoppingMinDelta is {EarlyStoppingMinDelta}; expected 0 or more.", nameof(EarlyStoppingMinDelta));
        if (ProgressEverySteps <= 0) throw new ArgumentException($"ProgressEverySteps is {ProgressEverySteps}; expected at least 1.", nameof(ProgressEverySteps));
        Loss?.Validate(task);
        if (MonitorMetric is not null)
        {
            string name = Training.MonitorMetric.Normalize(MonitorMetric);
            if (task is { } t && !Training.MonitorMetric.Fits(name, t))
                throw new ArgumentException($"The monitored metric '{name}' does not exist for a '{t.ToName()}' model; use {Training.MonitorMetric.DefaultFor(t)} or loss.", nameof(MonitorMetric));
        }
        return this;
    }

    /// <summary>Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not valid trainer options.</exception>
    public static TrainerOptions FromJson(string json)
        => EmotionJson.Deserialize<TrainerOptions>(json, "trainer options", options => options.Validate());
}
