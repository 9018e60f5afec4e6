using System.Collections.Immutable;
using System.Diagnostics;
using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Training;

/// <summary>
/// Trains an <see cref="EmotionModel"/>: epochs of optimizer steps on training batches with the loss of the options
/// (<see cref="TrainerOptions.Loss"/>, or the task's default), per-epoch validation with the field's metrics,
/// a history (<c>history.json</c>, <c>history.csv</c>), best and last checkpoints, early stopping and resume.
/// </summary>
/// <remarks>
/// <para>The optimizer has two parameter groups, the backbone's (<see cref="EmotionModel.BackboneParameters"/>, rate
/// <see cref="TrainerOptions.BackboneLearningRate"/>) and the head's and output layers' (<see cref="EmotionModel.HeadParameters"/>,
/// rate <see cref="TrainerOptions.LearningRate"/>); the schedule scales both. Each step runs in its own dispose scope, so
/// memory stays flat however long the run.</para>
/// <para><see cref="TrainerOptions.Precision"/> <see cref="TrainingPrecision.BFloat16"/> or <see cref="TrainingPrecision.Float16"/> runs
/// each step's backbone forward under libtorch's autocast (<see cref="EmotionModel.AutocastBackbone"/>): convolutions compute in 16 bits
/// from the float32 weights, which receive float32 gradients; the head, the loss, the optimizer, validation and checkpoints stay float32.
/// Float16 adds dynamic loss scaling (<see cref="LossScale"/>, <see cref="SkippedSteps"/>).</para>
/// <para>On the CPU the trainer checks the kernels of its model's convolutions in the training type before the first step
/// (<see cref="ConvolutionCheck"/>): libtorch's oneDNN computes some convolution gradients wrongly on some CPUs, so backward
/// passes run with oneDNN off (<see cref="TorchNativeSettings.SafeBackward"/>) unless every convolution of this model was
/// computed right (<see cref="BackwardOnOneDnn"/>), which makes them two to three times faster where it holds. The check runs one
/// forward pass of zeros through the backbone in evaluation mode (forward hooks on the backbone see it) and leaves the model as it
/// was.</para>
/// <para>Progress is reported synchronously on the training thread through <see cref="IProgress{T}.Report"/>
/// (<see cref="Progress{T}"/> forwards it to its synchronisation context).</para>
/// <para>Resuming (<see cref="Resume"/>, <see cref="RestoreCheckpoint"/>) restores the weights, the optimizer state (Adam's
/// moments, SGD's momentum buffers), the epoch and step counters, the best value, the early-stopping counter and the
/// history; the learning-rate schedule is a function of the step and epoch and the global generator is re-seeded from
/// (seed, epoch) at every epoch, so with a deterministic batch source the resumed run reproduces an uninterrupted one.</para>
/// <para>Stateful training (<see cref="TrainerOptions.Stateful"/>) carries the detached recurrent state from each batch row
/// to the same row of the next batch (<see cref="RecurrentStateCarry"/>); the state is zero at every epoch start, so a run
/// resumed from an epoch's checkpoint continues exactly as well.</para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly bool _ownsModel;
    private readonly OptimizerHelper _optimizer;
    private readonly torch.optim.ILearningRateController[] _groups;
    private readonly double[] _baseRates;
    private readonly Parameter[] _parameters;
    private readonly RecurrentStateCarry? _carry;
    private readonly ScalarType? _autocast;
    private readonly bool _backwardOnOneDnn;
    private readonly DynamicLossScaler? _lossScaler;
    private EmotionLoss? _loss;
    private ImmutableArray<long> _classCounts = [];
    private int _completedEpochs;
    private long _globalStep;
    private int? _stepsPerEpoch;
    private double? _bestValue;
    private int _bestEpoch;
    private int _sinceImprovement;
    private bool _stoppedEarly;
    private TrainingHistory _history = new();

    /// <summary>Creates a trainer for <paramref name="model"/> (which stays owned by the caller).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">Training options (defaults when null).</param>
    /// <param name="progress">Receives progress reports, or null.</param>
    /// <exception cref="ArgumentException">The options are invalid, or the loss or the monitored metric does not fit the model's task.</exception>
    /// <exception cref="NotSupportedException">A mixed <see cref="TrainerOptions.Precision"/> was asked for but libtorch's autocast entry points are missing.</exception>
    public Trainer(EmotionModel model, TrainerOptions? options = null, IProgress<TrainingProgress>? progress = null)
        : this(model, options, progress, ownsModel: false)
    {
    }

    private Trainer(EmotionModel model, TrainerOptions? options, IProgress<TrainingProgress>? progress, bool ownsModel)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Task = model.Options.Task;
        var given = (options ?? new TrainerOptions()).Validate(Task);
        Loss = (given.Loss ?? LossSpec.DefaultFor(Task)).Validate(Task, Task.HasCategories() ? model.Options.ClassCount : null);
        Options = given with { Loss = Loss };
        Monitor = MonitorMetric.Normalize(Options.MonitorMetric ?? MonitorMetric.DefaultFor(Task));
        if (Options.Stateful) CheckStateful(model);
        _progress = progress;
        _ownsModel = ownsModel;
        (_autocast, _lossScaler) = MixedPrecision(Options.Precision);
        (ConvolutionCheck, _backwardOnOneDnn) = CheckConvolutions(model, _autocast ?? ScalarType.Float32);
        _parameters = [.. model.parameters()];
        var backbone = model.BackboneParameters().ToList();
        var head = model.HeadParameters().ToList();
        if (backbone.Count + head.Count != _parameters.Length)
            throw new InvalidOperationException(
                $"The model's parameter groups hold {backbone.Count} + {head.Count} parameters but the model has {_parameters.Length}; every parameter must be in the backbone or the head group.");
        _baseRates = [Options.BackboneLearningRate ?? Options.LearningRate, Options.LearningRate];
        _optimizer = CreateOptimizer(backbone, head);
        _groups = [.. _optimizer.ParamGroups];
        _carry = Options.Stateful ? new RecurrentStateCarry() : null;
    }

    /// <summary>The model being trained.</summary>
    public EmotionModel Model { get; }

    /// <summary>The model's task.</summary>
    public EmotionTask Task { get; }

    /// <summary>The training options, with <see cref="TrainerOptions.Loss"/> resolved (the task's default when none was given).</summary>
    public TrainerOptions Options { get; }

    /// <summary>The loss trained (<see cref="TrainerOptions.Loss"/> of <see cref="Options"/>).</summary>
    public LossSpec Loss { get; }

    /// <summary>The monitored metric's canonical name.</summary>
    public string Monitor { get; }

    /// <summary>Epochs completed (continues after a resume).</summary>
    public int CompletedEpochs => _completedEpochs;

    /// <summary>Optimizer steps taken (continues after a resume).</summary>
    public long GlobalStep => _globalStep;

    /// <summary>The history so far.</summary>
    public TrainingHistory History => _history;

    /// <summary>
    /// The check of the model's convolution kernels in the training type that the trainer ran before its first step (on the
    /// CPU; null on CUDA, with <c>EMOTION_CONV_SELF_CHECK=0</c>, or when it could not run): where it found every forward output
    /// and gradient right on oneDNN (<see cref="ModelConvolutionCheck.BackwardOnOneDnn"/>), backward passes run on oneDNN;
    /// otherwise inside <see cref="TorchNativeSettings.SafeBackward"/> scopes. <c>EMOTION_ONEDNN_BACKWARD=0</c> keeps them in
    /// such scopes whatever the check found.
    /// </summary>
    public ModelConvolutionCheck? ConvolutionCheck { get; }

    /// <summary>Whether this trainer runs its backward passes with oneDNN on (<see cref="ConvolutionCheck"/>).</summary>
    public bool BackwardOnOneDnn => _backwardOnOneDnn;

    /// <summary>The current loss scale of a <see cref="TrainingPrecision.Float16"/> run (<see cref="DynamicLossScaler"/>), else null.</summary>
    public double? LossScale => _lossScaler?.Scale;

    /// <summary>Optimizer steps skipped in this trainer's life because float16 gradients overflowed (always 0 unless <see cref="TrainingPrecision.Float16"/>).</summary>
    public long SkippedSteps => _lossScaler?.SkippedSteps ?? 0;

    /// <summary>The optimizer (TorchSharp), for inspection.</summary>
    public OptimizerHelper Optimizer => _optimizer;

    /// <summary>The best checkpoint's folder (<c>OutputDirectory/best</c>), or null without an output directory.</summary>
    public string? BestCheckpointPath => Options.OutputDirectory is { } d ? Path.GetFullPath(Path.Combine(d, TrainingCheckpoint.BestName)) : null;

    /// <summary>The last checkpoint's folder (<c>OutputDirectory/last</c>), or null without an output directory.</summary>
    public string? LastCheckpointPath => Options.OutputDirectory is { } d ? Path.GetFullPath(Path.Combine(d, TrainingCheckpoint.LastName)) : null;

    /// <summary>
    /// Whether the run is over: <see cref="TrainerOptions.Epochs"/> epochs are complete or early stopping ended it.
    /// <see cref="Fit"/> on a finished trainer trains nothing and returns the restored result.
    /// </summary>
    public bool IsFinished => _stoppedEarly || _completedEpochs >= Options.Epochs;

    /// <summary>
    /// Opens a checkpoint to continue its run exactly: loads the model (architecture and weights from the checkpoint), builds a
    /// trainer with the checkpoint's options (or <paramref name="options"/>, for example with more epochs or another output
    /// directory; without a <see cref="TrainerOptions.Loss"/> they take the checkpoint's loss) and restores the optimizer state, the epoch and step counters, the best value and epoch, the early-stopping
    /// counter and the history, which <see cref="Fit"/> then appends to. The trainer owns the model and disposes it.
    /// </summary>
    /// <remarks>
    /// <para><paramref name="checkpoint"/> is a checkpoint folder, or a run's output directory, which resolves to its
    /// <c>last</c> checkpoint (else <c>best</c>): the newest state of the run.</para>
    /// <para>More epochs than the checkpoint's run extend it. The schedule is a function of (epoch, fraction of the epoch,
    /// step, total epochs), so a cosine schedule is recomputed over the new total from the saved position (its rate continues
    /// from where a run planned with the new total would be at that epoch), while a step schedule and the warm-up continue
    /// unchanged. A run that stopped early continues with its early-stopping counter, so it stops again after one more epoch
    /// without improvement. With as many or fewer epochs than completed, <see cref="IsFinished"/> is true.</para>
    /// </remarks>
    /// <exception cref="FileNotFoundException">No checkpoint at <paramref name="checkpoint"/>.</exception>
    /// <exception cref="FormatException">A file of the checkpoint is damaged.</exception>
    /// <exception cref="InvalidDataException">The weights or optimizer state are damaged or truncated.</exception>
    public static Trainer Resume(string checkpoint, TrainerOptions? options = null, IProgress<TrainingProgress>? progress = null, Device? device = null)
    {
        var dir = TrainingCheckpoint.ResolveForResume(checkpoint);
        var state = TrainingCheckpoint.ReadState(dir);
        var model = TrainingCheckpoint.LoadModel(dir, device);
        try
        {
            var chosen = options ?? state.Options;
            if (chosen.Loss is null) chosen = chosen with { Loss = state.Loss };
            var trainer = new Trainer(model, chosen, progress, ownsModel: true);
            trainer.RestoreState(dir, state);
            return trainer;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Restores a checkpoint into this trainer's model and optimizer (weights, optimizer state, counters, history).
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint was saved for another architecture (the message shows both).</exception>
    /// <exception cref="FileNotFoundException">No checkpoint at <paramref name="checkpoint"/>.</exception>
    /// <exception cref="InvalidDataException">The weights or optimizer state are damaged, truncated or do not fit.</exception>
    public void RestoreCheckpoint(string checkpoint)
    {
        var dir = TrainingCheckpoint.Resolve(checkpoint);
        var state = TrainingCheckpoint.ReadState(dir);
        EmotionModelOptions saved;
        try
        {
            saved = EmotionModelOptions.FromJson(File.ReadAllText(Path.Combine(dir, EmotionModel.OptionsFileName)));
        }
        catch (FormatException e)
        {
            throw new FormatException($"Checkpoint '{dir}': {e.Message}", e);
        }
        if (!saved.Equals(Model.Options))
            throw new InvalidOperationException(
                $"Checkpoint '{dir}' was saved for another architecture and cannot be restored into this model. " +
                $"Checkpoint: {Describe(saved)}. This model: {Describe(Model.Options)}. " +
                "Open it with Trainer.Resume (which builds the checkpoint's architecture) or build the same model.");
        Model.LoadWeights(Path.Combine(dir, EmotionModel.WeightsFileName));
        RestoreState(dir, state);
    }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Epochs"/> epochs are complete (counting epochs done before a resume) or early
    /// stopping ends the run. After each epoch: validation (when <paramref name="validation"/> is given), history files, the
    /// best checkpoint when the monitored metric improved, and the last checkpoint.
    /// </summary>
    /// <param name="training">The training batches of each epoch.</param>
    /// <param name="validation">The validation batches (the same every epoch: epoch 0 of the source), or null.</param>
    /// <param name="cancellationToken">Stops between steps (throws <see cref="OperationCanceledException"/>; completed epochs stay saved).</param>
    /// <exception cref="ArgumentException">The monitored metric needs validation data that was not given, or a batch does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">An epoch produced no batches, or the loss became NaN or infinite.</exception>
    public TrainingResult Fit(BatchSource training, BatchSource? validation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (validation is null && Monitor != MonitorMetric.Loss)
            throw new ArgumentException(
                $"The monitored metric '{Monitor}' is computed on validation data, but none was given; pass validation batches or set MonitorMetric = \"loss\" (training loss).",
                nameof(validation));
        EnsureLoss(training, cancellationToken);
        var run = new RunClock();
        for (int epoch = _completedEpochs; epoch < Options.Epochs && !_stoppedEarly; epoch++)
        {
            var pass = TrainEpoch(training, epoch, run, cancellationToken);
            var evaluation = ValidateEpoch(validation, pass, run, cancellationToken);
            var record = CompleteEpoch(pass, evaluation);
            ReportEpochCompleted(pass, record, run);
        }
        ReportFinished(run);
        return Result();
    }

    /// <summary>Saves a checkpoint of the current state (model, optimizer, counters, history) into <paramref name="directory"/>.</summary>
    /// <returns>The checkpoint folder's full path.</returns>
    public string SaveCheckpoint(string directory) => TrainingCheckpoint.Save(directory, Model, CurrentState(), _optimizer);

    /// <summary>The run's state as stored in checkpoints.</summary>
    public TrainingState CurrentState() => new()
    {
        Epoch = _completedEpochs,
        GlobalStep = _globalStep,
        StepsPerEpoch = _stepsPerEpoch,
        Monitor = Monitor,
        BestValue = _bestValue,
        BestEpoch = _bestEpoch,
        EpochsWithoutImprovement = _sinceImprovement,
        StoppedEarly = _stoppedEarly,
        Options = Options,
        Loss = Loss,
        ClassCounts = _classCounts,
        HasOptimizerState = true,
        History = _history,
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _loss?.Dispose();
        _carry?.Dispose();
        _optimizer.Dispose();
        if (_ownsModel) Model.Dispose();
    }

    private LossValues TrainStep(SequenceBatch batch, Device device)
    {
        if (batch.Height != Model.Options.FrameSize || batch.Width != Model.Options.FrameSize)
            throw new ArgumentException(
                $"A training batch has {batch.Width}x{batch.Height} frames but the model takes {Model.Options.FrameSize}x{Model.Options.FrameSize}.", nameof(batch));
        using var noCollection = ScalarRaceGuard.Enter();
        using var scope = NewDisposeScope();
        var frames = SequenceBatchTensors.Frames(batch, device);
        using var targets = EmotionTargets.FromBatch(batch, device, _loss!.ClassCount);
        _optimizer.zero_grad();
        using var output = Forward(batch, frames);
        using var loss = _loss.Compute(output, targets);
        if (Backward(loss.Total))
        {
            if (Options.GradientClipNorm is { } maxNorm) nn.utils.clip_grad_norm_(TrainableParameters(), maxNorm);
            _optimizer.step();
        }
        return loss.ToValues();
    }

    /// <summary>The model's forward pass; with stateful training from the carried state, keeping the state it ends with (detached).
    /// In a mixed-precision run the backbone runs under autocast (head and loss in float32).</summary>
    private EmotionOutput Forward(SequenceBatch batch, Tensor frames)
    {
        using var autocast = _autocast is { } lower ? Model.AutocastBackbone(lower) : null;
        if (_carry is null) return Model.call(frames);
        using var initial = _carry.Initial(batch);
        var output = Model.Forward(frames, initial);
        _carry.Keep(output.State);
        return output;
    }

    private static void CheckStateful(EmotionModel model)
    {
        var head = model.Options.Head;
        if (head.Kind == Heads.RecurrentKind.None || !model.Head.CanStream)
            throw new ArgumentException(
                $"Stateful training carries the recurrent state between windows and needs a unidirectional GRU or LSTM head; this model's head is {head.Kind}{(head.Bidirectional ? " (bidirectional)" : "")}.",
                nameof(TrainerOptions.Stateful));
    }

    /// <summary>The backward pass; with float16 the loss is scaled and the gradients unscaled. False: they overflowed, skip the step.</summary>
    private bool Backward(Tensor loss)
    {
        // oneDNN may run the forward pass; its backward kernels are wrong on some CPUs (TorchNativeSettings.SafeBackward), unless
        // the check of this model's own convolutions found them right.
        using var safe = _backwardOnOneDnn ? null : TorchNativeSettings.SafeBackward();
        if (_lossScaler is null)
        {
            loss.backward();
            return true;
        }
        using (var scaled = loss * _lossScaler.Scale) scaled.backward();
        return _lossScaler.UnscaleAndUpdate(TrainableParameters());
    }

    private static (ScalarType? Autocast, DynamicLossScaler? Scaler) MixedPrecision(TrainingPrecision precision)
    {
        if (precision == TrainingPrecision.Float32) return (null, null);
        if (!TorchAutocast.IsAvailable)
            throw new NotSupportedException(
                $"Precision {precision} trains the backbone under libtorch's autocast, whose entry points were not found in the loaded libtorch; use TrainingPrecision.Float32.");
        var type = precision == TrainingPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float16;
        return (type, type == ScalarType.Float16 ? new DynamicLossScaler() : null);
    }

    /// <summary>On the CPU, checks the kernels of the model's convolutions in the training type (the backbone's, at the model's
    /// frame size): where all are right, backward passes may run on oneDNN (unless <c>EMOTION_ONEDNN_BACKWARD=0</c>).</summary>
    private static (ModelConvolutionCheck? Check, bool BackwardOnOneDnn) CheckConvolutions(EmotionModel model, ScalarType type)
    {
        if (model.Device.type != DeviceType.CPU) return (null, false);
        var check = model.CheckConvolutions(type);
        bool allowed = Environment.GetEnvironmentVariable("EMOTION_ONEDNN_BACKWARD") != "0";
        return (check, allowed && check?.BackwardOnOneDnn == true);
    }

    private List<Parameter> TrainableParameters()
    {
        var result = new List<Parameter>(_parameters.Length);
        foreach (var p in _parameters) if (p.requires_grad) result.Add(p);
        return result;
    }

    private double ApplySchedule(int epoch, double fraction)
    {
        double factor = Options.Schedule.Factor(epoch, fraction, _globalStep, Options.Epochs);
        for (int g = 0; g < _groups.Length; g++) _groups[g].LearningRate = _baseRates[g] * factor;
        return _baseRates[^1] * factor;
    }

    private bool Improves(double value, double best) => MonitorMetric.HigherIsBetter(Monitor)
        ? value > best + Options.EarlyStoppingMinDelta
        : value < best - Options.EarlyStoppingMinDelta;

    private void EnsureLoss(BatchSource training, CancellationToken cancellationToken)
    {
        if (_loss is not null) return;
        int classCount = Task.HasCategories() ? Model.Options.ClassCount : EmotionCategories.BasicCount;
        bool balanced = Loss.Terms.Any(t => t.ClassWeighting == ClassWeighting.Balanced);
        if (balanced && _classCounts.IsDefaultOrEmpty)
        {
            _classCounts = training.ClassCounts is { } known
                ? [.. known]
                : [.. ClassWeights.Count(training.Batches(0, cancellationToken), classCount)];
        }
        _loss = new EmotionLoss(Loss, classCount, balanced ? _classCounts.AsSpan() : default, Model.Device);
    }

    private void WriteOutputs(bool improved, bool isLastEpoch)
    {
        if (Options.OutputDirectory is not { } dir) return;
        _history.Write(dir);
        if (improved) SaveCheckpoint(BestCheckpointPath!);
        if (Options.SaveLastEveryEpoch || isLastEpoch) SaveCheckpoint(LastCheckpointPath!);
    }

    private void RestoreState(string directory, TrainingState state)
    {
        if (!state.Loss.Equals(Loss))
            throw new InvalidOperationException(
                $"Checkpoint '{directory}' was trained with the loss {state.Loss.Describe()} but this model's loss is {Loss.Describe()}; resume with the same loss.");
        if (state.HasOptimizerState)
        {
            if (state.Options.Optimizer != Options.Optimizer)
                throw new InvalidOperationException(
                    $"Checkpoint '{directory}' holds the state of a {state.Options.Optimizer} optimizer; this trainer uses {Options.Optimizer}. Resume with the same optimizer.");
            TrainingCheckpoint.LoadOptimizer(directory, _optimizer);
        }
        _completedEpochs = state.Epoch;
        _globalStep = state.GlobalStep;
        _stepsPerEpoch = state.StepsPerEpoch;
        _bestValue = string.Equals(state.Monitor, Monitor, StringComparison.Ordinal) ? state.BestValue : null;
        _bestEpoch = _bestValue is null ? 0 : state.BestEpoch;
        _sinceImprovement = _bestValue is null ? 0 : state.EpochsWithoutImprovement;
        _stoppedEarly = state.StoppedEarly && Options.Epochs <= state.Options.Epochs;
        _classCounts = state.ClassCounts.IsDefault ? [] : state.ClassCounts;
        _history = state.History ?? new TrainingHistory();
        _loss?.Dispose();
        _loss = null;
    }

    private OptimizerHelper CreateOptimizer(List<Parameter> backbone, List<Parameter> head)
    {
        double wd = Options.WeightDecay, lrB = _baseRates[0], lrH = _baseRates[1];
        return Options.Optimizer switch
        {
            OptimizerKind.Adam => torch.optim.Adam(
                [new Adam.ParamGroup(backbone, lr: lrB, weight_decay: wd), new Adam.ParamGroup(head, lr: lrH, weight_decay: wd)], lr: lrH, weight_decay: wd),
            OptimizerKind.AdamW => torch.optim.AdamW(
                [new AdamW.ParamGroup(backbone, lr: lrB, weight_decay: wd), new AdamW.ParamGroup(head, lr: lrH, weight_decay: wd)], lr: lrH, weight_decay: wd),
            _ => torch.optim.SGD(
                [new SGD.ParamGroup(backbone, lr: lrB, momentum: Options.Momentum, weight_decay: wd, nesterov: Options.Nesterov),
                 new SGD.ParamGroup(head, lr: lrH, momentum: Options.Momentum, weight_decay: wd, nesterov: Options.Nesterov)],
                lrH, Options.Momentum, 0, wd, Options.Nesterov),
        };
    }

    private static string Describe(EmotionModelOptions o) =>
        $"backbone {o.Backbone.Name}, head {o.Head.Kind}(hidden {o.Head.Hidden}, layers {o.Head.Layers}{(o.Head.Bidirectional ? ", bidirectional" : "")}, {o.Head.Output}), " +
        $"task {o.Task.ToName()}, {o.ClassCount} classes, {o.FrameSize}px";

    private static long MixSeed(long seed, int epoch) => unchecked(seed * 1_000_003L + epoch);

    /// <summary>One epoch's optimizer steps: seeds the generator for (seed, epoch), resets the carried state and steps through the batches.</summary>
    private EpochPass TrainEpoch(BatchSource training, int epoch, RunClock run, CancellationToken cancellationToken)
    {
        if (Options.Seed is { } seed) torch.manual_seed(MixSeed(seed, epoch));
        _carry?.Reset();
        Model.train();
        var pass = new EpochPass(epoch, training.BatchesPerEpoch ?? _stepsPerEpoch);
        var device = Model.Device;
        foreach (var batch in training.Batches(epoch, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = ScheduledStep(batch, pass, run, device);
            pass.Add(values, SequenceBatchTensors.RealFrames(batch));
            _globalStep++;
            run.Steps++;
            ReportStep(pass, values, run);
        }
        if (pass.Steps == 0)
            throw new InvalidOperationException($"The training batch source produced no batches for epoch {epoch + 1}.");
        _stepsPerEpoch = pass.Steps;
        pass.EndTraining();
        return pass;
    }

    /// <summary>Sets the scheduled learning rate for the step's position in the epoch, takes the step (timed) and checks that its loss is finite.</summary>
    private LossValues ScheduledStep(SequenceBatch batch, EpochPass pass, RunClock run, Device device)
    {
        run.Training.Start();
        double fraction = pass.StepsPerEpoch is { } n ? Math.Min(pass.Steps, n) / (double)n : 0;
        pass.LearningRate = ApplySchedule(pass.Epoch, fraction);
        var values = TrainStep(batch, device);
        run.Training.Stop();
        if (!double.IsFinite(values.Total))
            throw new InvalidOperationException(
                $"The training loss became {values.Total} at epoch {pass.Epoch + 1}, step {pass.Steps + 1} (terms: {string.Join(", ", values.Terms.Select(t => $"{t.Key}={t.Value}"))}); lower the learning rate or enable GradientClipNorm.");
        return values;
    }

    /// <summary>Reports a step every <see cref="TrainerOptions.ProgressEverySteps"/> steps and at the epoch's last step, with the time left at this run's pace.</summary>
    private void ReportStep(EpochPass pass, LossValues values, RunClock run)
    {
        if (_progress is null || (pass.Steps % Options.ProgressEverySteps != 0 && pass.Steps != pass.StepsPerEpoch)) return;
        double secondsPerStep = run.Training.Elapsed.TotalSeconds / run.Steps;
        TimeSpan? eta = pass.StepsPerEpoch is { } total
            ? TimeSpan.FromSeconds(secondsPerStep * (Math.Max(0, total - pass.Steps) + (long)(Options.Epochs - pass.Epoch - 1) * total))
            : null;
        _progress.Report(new TrainingProgress
        {
            Phase = TrainingPhase.Step,
            Epoch = pass.Epoch + 1,
            Epochs = Options.Epochs,
            Step = pass.Steps,
            StepsPerEpoch = pass.StepsPerEpoch,
            GlobalStep = _globalStep,
            Loss = values.Total,
            AverageLoss = pass.Averager.Mean().Total,
            LossTerms = values.Terms,
            LearningRate = pass.LearningRate,
            FramesPerSecond = pass.Frames / Math.Max(1e-9, pass.Clock.Elapsed.TotalSeconds),
            Elapsed = run.Total.Elapsed,
            EstimatedRemaining = eta,
        });
    }

    /// <summary>Evaluates the validation batches (epoch 0 of the source) with the training loss, or returns null without validation data.</summary>
    private EvaluationResult? ValidateEpoch(BatchSource? validation, EpochPass pass, RunClock run, CancellationToken cancellationToken)
    {
        if (validation is null) return null;
        _progress?.Report(new TrainingProgress
        {
            Phase = TrainingPhase.Validating, Epoch = pass.Epoch + 1, Epochs = Options.Epochs, Step = pass.Steps, StepsPerEpoch = _stepsPerEpoch,
            GlobalStep = _globalStep, Loss = pass.TrainLoss.Total, AverageLoss = pass.TrainLoss.Total, LearningRate = pass.LearningRate, Elapsed = run.Total.Elapsed,
        });
        return ModelEvaluator.Evaluate(Model, validation.Batches(0, cancellationToken),
            new EvaluationOptions { CollectPredictions = false }, _loss, cancellationToken);
    }

    /// <summary>Counts the epoch as done: reads the monitored metric, updates the best value and early stopping, appends the history and writes the outputs.</summary>
    private EpochRecord CompleteEpoch(EpochPass pass, EvaluationResult? evaluation)
    {
        double monitorLoss = evaluation?.Loss?.Total ?? pass.TrainLoss.Total;
        double? value = MonitorMetric.Read(Monitor, evaluation?.Metrics, monitorLoss);
        _completedEpochs = pass.Epoch + 1;
        bool improved = TrackImprovement(value);
        var record = new EpochRecord
        {
            Epoch = _completedEpochs,
            GlobalStep = _globalStep,
            LearningRate = pass.LearningRate,
            TrainLoss = pass.TrainLoss.Total,
            TrainLossTerms = pass.TrainLoss.Terms,
            TrainFrames = pass.Frames,
            ValidationLoss = evaluation?.Loss?.Total,
            ValidationLossTerms = evaluation?.Loss?.Terms ?? ImmutableDictionary<string, double>.Empty,
            Validation = evaluation?.Metrics,
            Monitor = Monitor,
            MonitorValue = value,
            IsBest = improved,
            Seconds = pass.Clock.Elapsed.TotalSeconds,
            FramesPerSecond = pass.Frames / Math.Max(1e-9, pass.TrainSeconds),
        };
        _history = _history.Add(record);
        WriteOutputs(improved, isLastEpoch: _completedEpochs >= Options.Epochs || _stoppedEarly);
        return record;
    }

    /// <summary>Whether <paramref name="value"/> improves on the best so far (then it becomes the best); counts the epochs without improvement and stops early after the patience.</summary>
    private bool TrackImprovement(double? value)
    {
        bool improved = value is { } v && (_bestValue is not { } best || Improves(v, best));
        if (improved)
        {
            _bestValue = value;
            _bestEpoch = _completedEpochs;
            _sinceImprovement = 0;
        }
        else
        {
            _sinceImprovement++;
        }
        if (Options.EarlyStoppingPatience is { } patience && _sinceImprovement >= patience && _completedEpochs < Options.Epochs)
            _stoppedEarly = true;
        return improved;
    }

    private void ReportEpochCompleted(EpochPass pass, EpochRecord record, RunClock run) => _progress?.Report(new TrainingProgress
    {
        Phase = TrainingPhase.EpochCompleted, Epoch = _completedEpochs, Epochs = Options.Epochs, Step = pass.Steps, StepsPerEpoch = _stepsPerEpoch,
        GlobalStep = _globalStep, Loss = pass.TrainLoss.Total, AverageLoss = pass.TrainLoss.Total, LossTerms = pass.TrainLoss.Terms, LearningRate = pass.LearningRate,
        FramesPerSecond = record.FramesPerSecond, Elapsed = run.Total.Elapsed, EpochRecord = record,
        EstimatedRemaining = TimeSpan.FromSeconds(run.Steps == 0 ? 0 : run.Training.Elapsed.TotalSeconds / run.Steps * (long)(Options.Epochs - _completedEpochs) * pass.Steps),
    });

    private void ReportFinished(RunClock run) => _progress?.Report(new TrainingProgress
    {
        Phase = TrainingPhase.Finished, Epoch = _completedEpochs, Epochs = Options.Epochs, StepsPerEpoch = _stepsPerEpoch,
        GlobalStep = _globalStep, Elapsed = run.Total.Elapsed, EstimatedRemaining = TimeSpan.Zero,
        Loss = _history.Epochs.IsDefaultOrEmpty ? 0 : _history.Epochs[^1].TrainLoss,
    });

    private TrainingResult Result() => new()
    {
        History = _history,
        CompletedEpochs = _completedEpochs,
        GlobalStep = _globalStep,
        Monitor = Monitor,
        BestValue = _bestValue,
        BestEpoch = _bestEpoch,
        StoppedEarly = _stoppedEarly,
        BestCheckpoint = BestCheckpointPath is { } b && Directory.Exists(b) ? b : null,
        LastCheckpoint = LastCheckpointPath is { } l && Directory.Exists(l) ? l : null,
    };

    /// <summary>The clocks of one <see cref="Fit"/> call: the whole call, the time spent in training steps, and the steps taken.</summary>
    private sealed class RunClock
    {
        public Stopwatch Total { get; } = Stopwatch.StartNew();

        public Stopwatch Training { get; } = new();

        public long Steps { get; set; }
    }

    /// <summary>One epoch's training pass: its steps, frames, mean loss, learning rate and timing.</summary>
    private sealed class EpochPass(int epoch, int? stepsPerEpoch)
    {
        public int Epoch { get; } = epoch;

        /// <summary>The epoch's expected number of steps (the source's, else the previous epoch's), or null when unknown.</summary>
        public int? StepsPerEpoch { get; } = stepsPerEpoch;

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public LossAverager Averager { get; } = new();

        public int Steps { get; private set; }

        public long Frames { get; private set; }

        public double LearningRate { get; set; }

        /// <summary>Seconds from the epoch's start to the end of its last step (set by <see cref="EndTraining"/>).</summary>
        public double TrainSeconds { get; private set; }

        /// <summary>The mean training loss of the epoch (set by <see cref="EndTraining"/>).</summary>
        public LossValues TrainLoss { get; private set; } = LossValues.Zero;

        public void Add(LossValues values, long frames)
        {
            Averager.Add(values);
            Frames += frames;
            Steps++;
        }

        public void EndTraining()
        {
            TrainSeconds = Clock.Elapsed.TotalSeconds;
            TrainLoss = Averager.Mean();
        }
    }
}
