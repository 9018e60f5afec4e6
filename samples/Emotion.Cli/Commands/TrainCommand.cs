using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Emotion.Cli.Terminal;
using Emotion.Cli.Workflows;
using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion train</c>: trains a model on the user's data (Aff-Wild2 layout with Training_Set / Validation_Set, or a CSV
/// manifest) and writes checkpoints (best, last), the history and a final metrics summary into <c>--out</c>.
/// </summary>
public static class TrainCommand
{
    /// <summary>Head names accepted by <c>--head</c>.</summary>
    public static readonly string[] HeadNames = [.. HeadSpec.Names];

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var dataset = new DatasetArguments("The Aff-Wild2 root (cropped_aligned/ + annotations/) or a CSV manifest.");
        var validation = new Option<FileSystemInfo?>("--validation-data") { Description = "CSV format only: a second manifest for validation." };
        var backbone = new Option<string>("--backbone") { Description = "Backbone name: " + string.Join(", ", BackboneRegistry.Default.Names) + ".", DefaultValueFactory = _ => BackboneNames.ResNet18 };
        var head = new Option<string>("--head") { Description = "Recurrent head.", DefaultValueFactory = _ => "gru" };
        head.AcceptOnlyFromAmong(HeadNames);
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the recurrent head.", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Recurrent layers.", DefaultValueFactory = _ => 1 };
        var task = new Option<string>("--task") { Description = "categorical, va or combined.", DefaultValueFactory = _ => "combined" };
        task.AcceptOnlyFromAmong("categorical", "va", "combined");
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
        var frames = new Option<int>("--frames") { Description = "Frames per training sequence.", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "Side of the square face crop, in pixels.", DefaultValueFactory = _ => 112 };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per batch.", DefaultValueFactory = _ => 4 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (Adam).", DefaultValueFactory = _ => 1e-3 };
        var seed = new Option<int>("--seed") { Description = "Seed for weights, shuffling and augmentation.", DefaultValueFactory = _ => 0 };
        var pretrained = new Option<string?>("--pretrained")
        {
            HelpName = "NAME",
            Description = $"Start the backbone from pretrained weights: {string.Join(", ", Emotion.Torch.Pretrained.PretrainedModels.Names)} (it sets the backbone, its normalisation and, unless --size is given, the frame size).",
        };
        var freeze = new Option<string?>("--freeze")
        {
            HelpName = "STAGES",
            Description = "Backbone stages to freeze (their weights stay as loaded): 'all', or a comma-separated list such as stem,layer1 (the backbone's stage names).",
        };
        var resume = new Option<FileSystemInfo?>("--resume")
        {
            HelpName = "CHECKPOINT",
            Description = "Continue a run exactly from its checkpoint (OUT/last, or OUT itself): weights, optimizer, epoch, schedule, best, " +
                          "early stopping and history. Data and model options come from the checkpoint (giving another value is an error); " +
                          "a larger --epochs extends the run.",
        };
        var preset = new Option<string?>("--preset")
        {
            HelpName = "affwildnet",
            Description = "Start from a published setting: affwildnet (Kollias et al.: VGG-16 with a 4096-wide FC layer, 2-layer GRU of 128 units, " +
                          "96 px frames scaled to [-1, 1], 80-frame sequences). --backbone, --head, --hidden, --layers, --frames and --size given explicitly override it.",
        };
        preset.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } v && !PresetNames.Contains(v, StringComparer.OrdinalIgnoreCase))
                r.AddError($"--preset: unknown preset '{v}'; expected {string.Join(", ", PresetNames)}.");
        });
        var loss = new Option<string?>("--loss")
        {
            HelpName = "TERM=W,...",
            Description = "Loss terms and their weights, summed: ce (cross-entropy), ccc (1 - CCC of valence/arousal), mse; for example ce=1,ccc=0.5. " +
                          "Default: ce=1 (categorical), ccc=1 (va), ce=1,ccc=1 (combined).",
        };
        var classWeights = new Option<string?>("--class-weights")
        {
            HelpName = "balanced|none|LIST",
            Description = "Weights of the categories in the cross-entropy: none (default), balanced (N / (K * n_c) from the training labels), " +
                          "or one comma-separated weight per category in order (neutral,anger,disgust,fear,happiness,sadness,surprise[,other]).",
        };
        var classes = new Option<int>("--classes")
        {
            HelpName = "7|8",
            Description = "7: the basic expressions (Aff-Wild2's label 7, Other, is read as unlabeled); 8: Other is an eighth category of the model and is kept in the data.",
            DefaultValueFactory = _ => EmotionCategories.BasicCount,
        };
        classes.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v != EmotionCategories.BasicCount && v != EmotionCategories.WithOther.Length)
                r.AddError($"--classes must be 7 (the basic expressions) or 8 (with Aff-Wild2's Other); got {v}.");
        });
        var device = new Option<string>("--device")
        {
            HelpName = "cpu|cuda",
            Description = "Where to train: cpu (default) or cuda (the first NVIDIA GPU; an error where CUDA is not available).",
            DefaultValueFactory = _ => "cpu",
        };
        device.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && !DeviceNames.Contains(v, StringComparer.OrdinalIgnoreCase))
                r.AddError($"--device: unknown device '{v}'; expected {string.Join(" or ", DeviceNames)}.");
        });
        var stride = new Option<int?>("--stride")
        {
            HelpName = "N",
            Description = "Training windows start every N frames (default: half of --frames, so windows overlap; with --stateful: --frames, consecutive windows).",
        };
        var stateful = new Option<bool>("--stateful")
        {
            Description = "Stateful training (truncated back-propagation through time): each batch row walks through whole segments of a video window " +
                          "after window and carries the GRU/LSTM state, detached, from one window to the next, so the model sees far more context " +
                          "than one window (the state resets at gaps in the frame numbers and between videos). Needs a gru or lstm head and " +
                          "consecutive windows (--stride equal to --frames).",
        };
        var noAugment = new Option<bool>("--no-augment")
        {
            Description = "Train without random crops, flips and colour jitter (as `emotion demo` does: its synthetic faces already vary, and a short run learns faster without them).",
        };
        var precision = new Option<string>("--precision")
        {
            HelpName = "fp32|bf16|fp16",
            Description = "Arithmetic of the backbone's forward and backward passes: fp32 (default); bf16 (bfloat16 autocast with float32 master weights, " +
                          "head and loss: for CPUs with AVX-512 BF16 or AMX, an error on others, and NVIDIA GPUs from Ampere on); fp16 (float16 autocast " +
                          "with dynamic loss scaling, with --device cuda only). Checkpoints hold float32 weights either way. With --resume: the checkpoint's unless given.",
            DefaultValueFactory = _ => "fp32",
        };
        precision.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && !TrainingChoices.PrecisionNames.Contains(v, StringComparer.OrdinalIgnoreCase))
                r.AddError($"--precision: unknown precision '{v}'; expected {string.Join(", ", TrainingChoices.PrecisionNames)}.");
        });
        var output = new Option<DirectoryInfo?>("--out") { Description = "Output folder for checkpoints, history.json/csv and metrics.json (with --resume: the checkpoint's run folder by default)." };
        dataset.Data.Required = false;

        var command = new Command("train", "Train a CNN + RNN emotion model on your data.");
        dataset.AddTo(command);
        foreach (var option in new Option[] { validation, backbone, head, hidden, layers, task, epochs, frames, size, batch, lr, seed, pretrained, freeze,
                     preset, loss, classWeights, classes, device, precision, stride, stateful, noAugment, resume, output })
            command.Add(option);

        // The options a run is made of, stored in its checkpoints (TrainerOptions.RunSettings) and checked on --resume.
        var settings = new (Option Option, Func<ParseResult, string?> Value)[]
        {
            (dataset.Data, p => p.GetValue(dataset.Data) is { } d ? Path.GetFullPath(d.FullName) : null),
            (dataset.Format, p => p.GetValue(dataset.Format)),
            (dataset.Lenient, p => p.GetValue(dataset.Lenient) ? "true" : "false"),
            (dataset.SkipDamaged, p => p.GetValue(dataset.SkipDamaged) ? "true" : "false"),
            (validation, p => p.GetValue(validation) is { } v ? Path.GetFullPath(v.FullName) : null),
            (backbone, p => p.GetValue(backbone)?.ToLowerInvariant()),
            (head, p => p.GetValue(head)?.ToLowerInvariant()),
            (hidden, p => Invariant(p.GetValue(hidden))),
            (layers, p => Invariant(p.GetValue(layers))),
            (task, p => p.GetValue(task)),
            (frames, p => Invariant(p.GetValue(frames))),
            (size, p => Invariant(p.GetValue(size))),
            (batch, p => Invariant(p.GetValue(batch))),
            (lr, p => p.GetValue(lr).ToString("R", CultureInfo.InvariantCulture)),
            (seed, p => Invariant(p.GetValue(seed))),
            (pretrained, p => p.GetValue(pretrained)),
            (freeze, p => p.GetValue(freeze)),
            (preset, p => p.GetValue(preset)?.ToLowerInvariant()),
            (loss, p => p.GetValue(loss)),
            (classWeights, p => p.GetValue(classWeights)),
            (classes, p => Invariant(p.GetValue(classes))),
            (stride, p => p.GetValue(stride) is { } n ? Invariant(n) : null),
            (stateful, p => p.GetValue(stateful) ? "true" : "false"),
            (noAugment, p => p.GetValue(noAugment) ? "true" : "false"),
        };

        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            if (parse.GetValue(resume) is { } from)
            {
                LibTorch.Require("train", parse.InvocationConfiguration.Error);
                var resumeDevice = ParseDevice(parse.GetValue(device));
                TrainingPrecision? resumePrecision = parse.GetResult(precision) is { Implicit: false }
                    ? TrainingChoices.Precision(parse.GetValue(precision), resumeDevice, parse.InvocationConfiguration.Error)
                    : null;
                return Task.FromResult(Resume(parse, ui, from, settings, epochs, output, resumeDevice, resumePrecision, cancellationToken));
            }
            if (parse.GetValue(output) is not { } outInfo) throw new UsageException("--out: the output folder is required (unless --resume continues a run).");
            if (parse.GetValue(dataset.Data) is null) throw new UsageException("--data: the dataset is required (unless --resume continues a run).");
            LibTorch.Require("train", parse.InvocationConfiguration.Error);
            string outDir = outInfo.FullName;
            var taskValue = EmotionTaskExtensions.ParseTask(parse.GetValue(task)!);
            var categories = TrainingChoices.Categories(parse.GetValue(classes));
            var lossSpec = TrainingChoices.Loss(parse.GetValue(loss), parse.GetValue(classWeights), taskValue, categories.Length);
            var deviceType = ParseDevice(parse.GetValue(device));
            var precisionValue = TrainingChoices.Precision(parse.GetValue(precision), deviceType, parse.InvocationConfiguration.Error);
            bool includeOther = categories.Contains(EmotionCategory.Other);
            var trainSet = dataset.Load(parse, AffWild2Layout.TrainingSplit, includeOther);
            EmotionDataset? validSet = dataset.IsCsv(parse)
                ? parse.GetValue(validation) is { } v ? dataset.LoadManifest(parse, CliArguments.ExistingFile(v, "--validation-data"), includeOther) : null
                : LoadOptionalSplit(dataset, parse, AffWild2Layout.ValidationSplit, includeOther);
            DatasetArguments.ReportIssues([trainSet, validSet], parse.InvocationConfiguration.Error, outDir);

            var trainerOptions = new TrainerOptions
            {
                Loss = lossSpec,
                Epochs = CliArguments.Positive(parse.GetValue(epochs), "--epochs"),
                LearningRate = parse.GetValue(lr) > 0 ? parse.GetValue(lr) : throw new UsageException($"--lr must be positive; got {parse.GetValue(lr)}."),
                Schedule = LearningRateSchedule.Cosine(minFactor: 0.05),
                GradientClipNorm = 5.0,
                Seed = parse.GetValue(seed),
                Stateful = parse.GetValue(stateful),
                Precision = precisionValue,
                OutputDirectory = outDir,
                RunSettings = settings
                    .Select(s => (s.Option.Name, Value: s.Value(parse)))
                    .Where(s => s.Value is not null)
                    .ToImmutableSortedDictionary(s => s.Name, s => s.Value!, StringComparer.Ordinal),
            };
            using var model = BuildModel(parse.GetValue(backbone)!, parse.GetValue(head)!, CliArguments.Positive(parse.GetValue(hidden), "--hidden"),
                CliArguments.Positive(parse.GetValue(layers), "--layers"), taskValue,
                CliArguments.Positive(parse.GetValue(frames), "--frames"), CliArguments.Positive(parse.GetValue(size), "--size"), parse.GetValue(seed),
                new TransferOptions(parse.GetValue(pretrained), parse.GetValue(freeze),
                    BackboneGiven: Given(backbone), SizeGiven: Given(size)),
                new ModelChoices(parse.GetValue(preset)?.ToLowerInvariant(), categories, deviceType,
                    HeadGiven: Given(head), HiddenGiven: Given(hidden), LayersGiven: Given(layers), FramesGiven: Given(frames)));
            if (parse.GetValue(preset) is { } presetName)
                ui.Line($"preset {presetName.ToLowerInvariant()}: backbone {model.Options.Backbone.Name}, head {model.Options.Head.Kind.ToString().ToLowerInvariant()} " +
                        $"{model.Options.Head.Hidden}x{model.Options.Head.Layers}, {model.Info.FrameSize} px, {model.Options.SequenceLength}-frame sequences");
            if (parse.GetResult(loss) is { Implicit: false } || parse.GetResult(classWeights) is { Implicit: false })
                ui.Line($"loss: {lossSpec.Describe()}");
            if (precisionValue != TrainingPrecision.Float32)
                ui.Line($"precision: {TrainingChoices.PrecisionName(precisionValue)} (backbone under autocast; float32 master weights, head and loss)");
            if (parse.GetValue(pretrained) is { } name)
                ui.Line($"backbone {model.Options.Backbone.Name} from pretrained '{name}' at {model.Info.FrameSize} px; frozen stages: " +
                        (model.Options.FrozenStages.IsDefaultOrEmpty ? "none" : string.Join(", ", model.Options.FrozenStages)));
            int? strideValue = parse.GetValue(stride) is { } n ? CliArguments.Positive(n, "--stride") : null;
            CheckStateful(trainerOptions.Stateful, model, strideValue);
            var forward = new ForwardingProgress();
            using var trainer = new Trainer(model, trainerOptions, forward);
            TrainingChoices.WarnAboutKernels(trainer, parse.InvocationConfiguration.Error);
            var data = new DataPlan(BatchSize: CliArguments.Positive(parse.GetValue(batch), "--batch-size"), Stride: strideValue, Augment: !parse.GetValue(noAugment));
            TrainAndReport(ui, trainer, forward, trainSet, validSet, data, outDir, cancellationToken);
            return Task.FromResult(EmotionCli.Success);

            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        });
        return command;
    }

    /// <summary>Presets accepted by <c>--preset</c>.</summary>
    public static readonly string[] PresetNames = ["affwildnet"];

    /// <summary>Devices accepted by <c>--device</c>.</summary>
    public static readonly string[] DeviceNames = ["cpu", "cuda"];

    /// <summary>
    /// The device of <c>--device</c>; <c>cuda</c> where TorchSharp finds no CUDA device is a <see cref="CommandFailedException"/>
    /// (exit 1) that names the option.
    /// </summary>
    public static TorchSharp.DeviceType ParseDevice(string? name)
    {
        if (!string.Equals(name, "cuda", StringComparison.OrdinalIgnoreCase)) return TorchSharp.DeviceType.CPU;
        if (!TorchSharp.torch.cuda.is_available())
            throw new CommandFailedException("--device cuda: CUDA is not available here (no NVIDIA GPU, driver or TorchSharp CUDA runtime was found); use --device cpu.");
        return TorchSharp.DeviceType.CUDA;
    }

    private static int Resume(ParseResult parse, ConsoleUi ui, FileSystemInfo from, (Option Option, Func<ParseResult, string?> Value)[] settings,
        Option<int> epochs, Option<DirectoryInfo?> output, TorchSharp.DeviceType device, TrainingPrecision? precision, CancellationToken cancellationToken)
    {
        string checkpoint;
        TrainingState state;
        try
        {
            checkpoint = TrainingCheckpoint.ResolveForResume(CliArguments.ExistingPath(from, "--resume"));
            state = TrainingCheckpoint.ReadState(checkpoint);
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException($"--resume: {e.Message}");
        }
        var saved = state.Options.RunSettings ?? ImmutableSortedDictionary<string, string>.Empty;
        // Options of a resumed run come from the checkpoint; an explicit value must agree (a checkpoint written without
        // command-line settings, by the library or an older version, cannot be checked: its explicit values are used).
        if (state.Options.RunSettings is not null)
        {
            foreach (var (option, value) in settings)
            {
                if (parse.GetResult(option) is not { Implicit: false }) continue;
                string? given = value(parse);
                saved.TryGetValue(option.Name, out var was);
                if (!string.Equals(given, was, StringComparison.Ordinal))
                    throw new UsageException(
                        $"{option.Name}: the run resumed from '{checkpoint}' was trained with {(was is null ? "no " + option.Name : option.Name + " " + was)}, " +
                        $"but {option.Name} {given} was given; leave it out (a resumed run takes its data and model options from the checkpoint) or start a new run.");
            }
        }
        string? Setting(Option option) => parse.GetResult(option) is { Implicit: false } || !saved.ContainsKey(option.Name)
            ? settings.First(s => s.Option == option).Value(parse)
            : saved[option.Name];

        int total = parse.GetResult(epochs) is { Implicit: false } ? CliArguments.Positive(parse.GetValue(epochs), "--epochs") : state.Options.Epochs;
        if (total < state.Epoch)
            throw new UsageException($"--epochs {total} is fewer than the {state.Epoch} epochs the run in '{checkpoint}' has completed; give {state.Epoch} or more.");
        string outDir = parse.GetValue(output)?.FullName ?? Path.GetDirectoryName(checkpoint)!;
        var options = state.Options with
        {
            Epochs = total,
            OutputDirectory = outDir,
            Precision = precision ?? TrainingChoices.CheckPrecision(state.Options.Precision, device, parse.InvocationConfiguration.Error),
        };

        var forward = new ForwardingProgress();
        using var trainer = Trainer.Resume(checkpoint, options, forward, new TorchSharp.torch.Device(device));
        TrainingChoices.WarnAboutKernels(trainer, parse.InvocationConfiguration.Error);
        if (trainer.IsFinished)
        {
            ui.Line(state.StoppedEarly && total <= state.Options.Epochs
                ? $"The run in '{checkpoint}' is finished: early stopping ended it after epoch {state.Epoch} (best {state.Monitor} {state.BestValue} at epoch {state.BestEpoch}); nothing to train. Give a larger --epochs than {state.Options.Epochs} to continue it."
                : $"The run in '{checkpoint}' is finished: {state.Epoch} of {total} epochs done (best {state.Monitor} {state.BestValue} at epoch {state.BestEpoch}); nothing to train. Give a larger --epochs to extend it.");
            return EmotionCli.Success;
        }
        var historyFile = Path.Combine(outDir, TrainingHistory.JsonFileName);
        if (File.Exists(historyFile) && TryReadHistory(historyFile) is { } onDisk && onDisk.Epochs.Length > state.Epoch)
            ui.Line($"warning: '{historyFile}' has {onDisk.Epochs.Length} epochs but the checkpoint was taken after epoch {state.Epoch}; epochs {state.Epoch + 1} to {onDisk.Epochs.Length} are trained again and replaced.");
        ui.Line($"resuming '{checkpoint}' after epoch {state.Epoch} (step {state.GlobalStep}) to epoch {total}; output: {outDir}" +
                (options.Precision == TrainingPrecision.Float32 ? "" : $"; precision {TrainingChoices.PrecisionName(options.Precision)}"));

        Option Named(string name) => settings.First(s => s.Option.Name == name).Option;
        string data = Setting(Named("--data")) ?? throw new UsageException("--data: the checkpoint does not record its dataset; give --data (and --format) again.");
        string format = Setting(Named("--format")) ?? "affwild2";
        bool lenient = Setting(Named("--lenient")) == "true";
        bool skipDamaged = Setting(Named("--skip-damaged")) == "true";
        bool includeOther = trainer.Model.Info.Categories.Contains(EmotionCategory.Other); // --classes 8, as the checkpoint's model says
        var trainSet = DatasetArguments.Load(data, format, lenient, AffWild2Layout.TrainingSplit, skipDamaged, includeOther);
        EmotionDataset? validSet = format == "csv"
            ? Setting(Named("--validation-data")) is { } v ? DatasetArguments.LoadManifest(CliArguments.ExistingFile(new FileInfo(v), "--validation-data"), lenient, skipDamaged, includeOther) : null
            : LoadOptionalSplit(data, format, lenient, skipDamaged, AffWild2Layout.ValidationSplit, includeOther);
        DatasetArguments.ReportIssues([trainSet, validSet], parse.InvocationConfiguration.Error, outDir);
        int batchSize = int.Parse(Setting(settings.First(s => s.Option.Name == "--batch-size").Option)!, CultureInfo.InvariantCulture);
        int? stride = Setting(Named("--stride")) is { } strideText ? CliArguments.Positive(int.Parse(strideText, CultureInfo.InvariantCulture), "--stride") : null;
        CheckStateful(trainer.Options.Stateful, trainer.Model, stride);
        bool augment = Setting(Named("--no-augment")) != "true";
        TrainAndReport(ui, trainer, forward, trainSet, validSet,
            new DataPlan(BatchSize: CliArguments.Positive(batchSize, "--batch-size"), Stride: stride, Augment: augment), outDir, cancellationToken);
        return EmotionCli.Success;
    }

    private static void TrainAndReport(ConsoleUi ui, Trainer trainer, ForwardingProgress forward, EmotionDataset trainSet, EmotionDataset? validSet,
        DataPlan data, string outDir, CancellationToken cancellationToken)
    {
        ui.DatasetStatistics(validSet is null ? [trainSet.ComputeStatistics()] : [trainSet.ComputeStatistics(), validSet.ComputeStatistics()]);
        var model = trainer.Model;
        if (trainer.Options.Stateful)
            ui.Line($"stateful training: {data.BatchSize} lanes of consecutive {model.Options.SequenceLength}-frame windows; the recurrent state is carried " +
                    "from window to window (detached) and reset at gaps in the frame numbers, between videos and at every epoch start");
        var result = TrainingProgressDisplay.Run(ui, model.Info.Task.ToName(), progress =>
        {
            forward.Target = progress;
            return TrainingWorkflow.Train(trainer, trainSet, validSet, data, cancellationToken);
        });
        if (validSet is not null)
        {
            var evaluation = TrainingWorkflow.Evaluate(model, validSet, data, cancellationToken);
            evaluation.WriteMetricsJson(Path.Combine(outDir, "metrics.json"));
            ui.MetricsComparison([(model.Info.Task.ToName(), evaluation.Metrics)]);
        }
        ui.Line($"best checkpoint: {result.BestCheckpoint ?? "-"}; last: {result.LastCheckpoint ?? "-"}; history: {Path.Combine(outDir, TrainingHistory.JsonFileName)}");
    }

    /// <summary>
    /// <c>--stateful</c> needs a head with a state to carry (gru or lstm, unidirectional) and consecutive windows: a
    /// <c>--stride</c> other than the window length would carry the state across overlapping or skipped frames.
    /// </summary>
    /// <exception cref="UsageException">The combination is invalid; the message names the options.</exception>
    public static void CheckStateful(bool stateful, EmotionModel model, int? stride)
    {
        if (!stateful) return;
        var head = model.Options.Head;
        if (head.Kind == RecurrentKind.None || !model.Head.CanStream)
            throw new UsageException(
                $"--stateful carries the recurrent state from one window to the next and needs a gru or lstm head; this model's head is {head.Kind.ToString().ToLowerInvariant()}{(head.Bidirectional ? " (bidirectional)" : "")}. Use --head gru or --head lstm.");
        int frames = model.Options.SequenceLength;
        if (stride is { } s && s != frames)
            throw new UsageException(
                $"--stride {s} with --stateful: the state is carried from a window to the next one only when it starts right after it ends; " +
                $"{(s < frames ? "overlapping" : "skipping")} windows would carry it across {(s < frames ? "repeated" : "missing")} frames. Give --stride {frames} (the window length, --frames) or leave --stride out.");
    }

    private static TrainingHistory? TryReadHistory(string file)
    {
        try { return TrainingHistory.FromJson(File.ReadAllText(file)); }
        catch (Exception e) when (e is FormatException or IOException) { return null; }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Forwards reports to a target set once the progress display exists (the trainer takes its progress when created).</summary>
    private sealed class ForwardingProgress : IProgress<TrainingProgress>
    {
        public IProgress<TrainingProgress>? Target { get; set; }

        public void Report(TrainingProgress value) => Target?.Report(value);
    }

    /// <summary>Transfer-learning choices: pretrained weights by catalogue name and the stages to freeze.</summary>
    /// <param name="Pretrained">A <see cref="Emotion.Torch.Pretrained.PretrainedModels"/> name, or null.</param>
    /// <param name="Freeze">'all' or a comma-separated list of stage names, or null.</param>
    /// <param name="BackboneGiven">Whether --backbone was given explicitly (it must then match the pretrained network's).</param>
    /// <param name="SizeGiven">Whether --size was given explicitly (else a pretrained network's input size is used).</param>
    public sealed record TransferOptions(string? Pretrained = null, string? Freeze = null, bool BackboneGiven = false, bool SizeGiven = false);

    /// <summary>Model choices beyond the architecture options: a preset, the categories and the device (the loss is a trainer option).</summary>
    /// <param name="Preset">A <see cref="PresetNames"/> entry, or null.</param>
    /// <param name="Categories">The categories (7 or 8), or default for the basic seven.</param>
    /// <param name="Device">Where the model lives.</param>
    /// <param name="HeadGiven">Whether --head was given explicitly (it then overrides a preset's).</param>
    /// <param name="HiddenGiven">Whether --hidden was given explicitly.</param>
    /// <param name="LayersGiven">Whether --layers was given explicitly.</param>
    /// <param name="FramesGiven">Whether --frames was given explicitly.</param>
    public sealed record ModelChoices(string? Preset = null,
        ImmutableArray<EmotionCategory> Categories = default, TorchSharp.DeviceType Device = TorchSharp.DeviceType.CPU,
        bool HeadGiven = false, bool HiddenGiven = false, bool LayersGiven = false, bool FramesGiven = false);

    /// <summary>Builds a model from command-line choices; an unknown backbone, pretrained name or stage is a usage error naming the valid ones.</summary>
    public static EmotionModel BuildModel(string backbone, string head, int hidden, int layers, EmotionTask task, int frames, int size, int seed,
        TransferOptions? transfer = null, ModelChoices? choices = null)
    {
        transfer ??= new TransferOptions();
        choices ??= new ModelChoices();
        bool preset = choices.Preset is not null;
        if (preset && transfer.Pretrained is not null)
            throw new UsageException($"--preset {choices.Preset} and --pretrained {transfer.Pretrained} exclude each other: the preset names its own backbone.");
        var spec = BackboneSpec.Named(backbone);
        if (transfer.Pretrained is { } name)
        {
            if (!Emotion.Torch.Pretrained.PretrainedModels.Contains(name))
                throw new UsageException($"--pretrained: unknown pretrained model '{name}'; expected one of {string.Join(", ", Emotion.Torch.Pretrained.PretrainedModels.Names)}.");
            spec = BackboneSpec.Pretrained(name);
            if (transfer.BackboneGiven && !string.Equals(spec.Name, backbone, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--backbone {backbone} contradicts --pretrained {name}, whose backbone is {spec.Name}; leave --backbone out.");
            if (!transfer.SizeGiven) size = Emotion.Torch.Pretrained.PretrainedModels.Get(name).InputSize;
        }
        else if (!BackboneRegistry.Default.Contains(backbone))
            throw new UsageException($"--backbone: unknown backbone '{backbone}'; expected one of {string.Join(", ", BackboneRegistry.Default.Names)}.");
        try
        {
            var builder = EmotionModel.Create();
            if (preset)
            {
                // The preset sets every part; the options given explicitly replace its values.
                builder.UseAffWildNetPreset();
                if (choices.FramesGiven || transfer.SizeGiven)
                    builder.WithInput(choices.FramesGiven ? frames : AffWildNetFrames, transfer.SizeGiven ? size : AffWildNetSize);
                if (transfer.BackboneGiven) builder.WithBackbone(spec);
                if (choices.HeadGiven || choices.HiddenGiven || choices.LayersGiven)
                    builder.WithRecurrentHead(HeadSpec.FromName(head, hidden, choices.LayersGiven ? layers : AffWildNetLayers));
            }
            else
            {
                builder.WithInput(frames, size).WithBackbone(spec).WithRecurrentHead(HeadSpec.FromName(head, hidden, layers));
            }
            builder.ForTask(task).WithSeed(seed).OnDevice(choices.Device);
            if (!choices.Categories.IsDefault) builder.WithCategories(choices.Categories);
            if (transfer.Freeze is { } freeze)
            {
                var stages = freeze.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (stages.Length == 0) throw new UsageException("--freeze: expected 'all' or a comma-separated list of stage names.");
                builder = stages is ["all"] ? builder.FreezeBackbone() : builder.FreezeStages(stages);
            }
            return builder.Build();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Contains("stage", StringComparison.OrdinalIgnoreCase) ? "--freeze: " + e.Message : e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new CommandFailedException($"--pretrained {transfer.Pretrained}: {e.Message}");
        }
    }

    // UseAffWildNetPreset's input and head depth, for options that replace only one of a pair.
    private const int AffWildNetFrames = 80, AffWildNetSize = 96, AffWildNetLayers = 2;

    private static EmotionDataset? LoadOptionalSplit(DatasetArguments dataset, ParseResult parse, string split, bool includeOther)
    {
        try { return dataset.Load(parse, split, includeOther); }
        catch (DirectoryNotFoundException) { return null; }
    }

    private static EmotionDataset? LoadOptionalSplit(string path, string format, bool lenient, bool skipDamaged, string split, bool includeOther)
    {
        try { return DatasetArguments.Load(path, format, lenient, split, skipDamaged, includeOther); }
        catch (DirectoryNotFoundException) { return null; }
    }
}
