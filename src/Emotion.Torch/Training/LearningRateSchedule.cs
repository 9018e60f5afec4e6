namespace Emotion.Torch.Training;

/// <summary>
/// A learning-rate schedule as a pure function of the training position, so that a resumed run continues it exactly:
/// the rate of a parameter group at optimizer step <c>s</c> (0-based, counted over the whole run) in epoch <c>e</c>
/// (0-based) is <c>base * warmup(s) * shape(e, p)</c>, where <c>p</c> in [0, 1) is the fraction of the epoch done.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Warm-up (linear): <c>warmup(s) = (s + 1) / W</c> for <c>s &lt; W</c> = <see cref="WarmupSteps"/>, then 1.</item>
/// <item><see cref="ScheduleKind.Constant"/>: <c>shape = 1</c>.</item>
/// <item><see cref="ScheduleKind.Step"/>: <c>shape = Gamma^floor(e / StepEpochs)</c> (PyTorch's StepLR stepped once per epoch).</item>
/// <item><see cref="ScheduleKind.Cosine"/>: <c>shape = m + (1 - m) (1 + cos(pi (e + p) / E)) / 2</c> with <c>m</c> =
/// <see cref="MinFactor"/> and <c>E</c> the number of epochs (PyTorch's CosineAnnealingLR with <c>T_max</c> = the run, updated
/// every step; <c>p</c> = 0 when the number of steps per epoch is unknown).</item>
/// </list>
/// </remarks>
public sealed record LearningRateSchedule
{
    /// <summary>The shape after warm-up.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;

    /// <summary>Step schedule: epochs between two decays.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>Step schedule: the decay factor.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Cosine schedule: the final rate as a fraction of the base rate.</summary>
    public double MinFactor { get; init; }

    /// <summary>Optimizer steps of linear warm-up from <c>base / W</c> to <c>base</c> (0 = none).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>A constant rate.</summary>
    public static LearningRateSchedule Constant() => new();

    /// <summary>Decay by <paramref name="gamma"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int everyEpochs, double gamma = 0.1) => new() { Kind = ScheduleKind.Step, StepEpochs = everyEpochs, Gamma = gamma };

    /// <summary>Cosine annealing to <paramref name="minFactor"/> times the base rate at the end of the run.</summary>
    public static LearningRateSchedule Cosine(double minFactor = 0) => new() { Kind = ScheduleKind.Cosine, MinFactor = minFactor };

    /// <summary>This schedule with a linear warm-up over the first <paramref name="steps"/> optimizer steps.</summary>
    public LearningRateSchedule WithWarmup(int steps) => this with { WarmupSteps = steps };

    /// <summary>The factor applied to the base rates at a position of the run.</summary>
    /// <param name="epoch">The epoch, 0-based.</param>
    /// <param name="epochFraction">The fraction of the epoch done, in [0, 1).</param>
    /// <param name="step">The optimizer step about to be taken, 0-based over the whole run.</param>
    /// <param name="totalEpochs">The number of epochs of the run.</param>
    public double Factor(int epoch, double epochFraction, long step, int totalEpochs)
    {
        double warmup = WarmupSteps > 0 && step < WarmupSteps ? (step + 1.0) / WarmupSteps : 1.0;
        double shape = Kind switch
        {
            ScheduleKind.Step => Math.Pow(Gamma, epoch / StepEpochs),
            ScheduleKind.Cosine => MinFactor + (1 - MinFactor) * (1 + Math.Cos(Math.PI * Math.Min(1.0, (epoch + epochFraction) / Math.Max(1, totalEpochs)))) / 2,
            _ => 1.0,
        };
        return warmup * shape;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public LearningRateSchedule Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"Schedule kind {(int)Kind} is not defined; use Constant, Step or Cosine.", nameof(Kind));
        if (StepEpochs <= 0) throw new ArgumentException($"The step schedule's StepEpochs is {StepEpochs}; expected a positive number of epochs.", nameof(StepEpochs));
        if (!(Gamma > 0 && Gamma <= 1)) throw new ArgumentException($"The step schedule's Gamma is {Gamma}; expected a factor in (0, 1].", nameof(Gamma));
        if (!(MinFactor >= 0 && MinFactor <= 1)) throw new ArgumentException($"The cosine schedule's MinFactor is {MinFactor}; expected a fraction in [0, 1].", nameof(MinFactor));
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps is {WarmupSteps}; expected 0 or more.", nameof(WarmupSteps));
        return this;
    }
}
