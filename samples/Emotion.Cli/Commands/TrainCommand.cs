using System.CommandLine;
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
        var resume = new Option<FileSystemInfo?>("--resume") { Description = "Continue from a checkpoint folder (its architecture is used; model options are ignored)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for checkpoints, history.json/csv and metrics.json.", Required = true };

        var command = new Command("train", "Train a CNN + RNN emotion model on your data.");
        dataset.AddTo(command);
        foreach (var option in new Option[] { validation, backbone, head, hidden, layers, task, epochs, frames, size, batch, lr, seed, pretrained, freeze, resume, output })
            command.Add(option);

        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string outDir = parse.GetRequiredValue(output).FullName;
            var trainSet = dataset.Load(parse, AffWild2Layout.TrainingSplit);
            EmotionDataset? validSet = dataset.IsCsv(parse)
                ? parse.GetValue(validation) is { } v ? dataset.LoadManifest(parse, CliArguments.ExistingFile(v, "--validation-data")) : null
                : LoadOptionalSplit(dataset, parse, AffWild2Layout.ValidationSplit);
            DatasetArguments.ReportIssues([trainSet, validSet], parse.InvocationConfiguration.Error, outDir);
            ui.DatasetStatistics(validSet is null ? [trainSet.ComputeStatistics()] : [trainSet.ComputeStatistics(), validSet.ComputeStatistics()]);

            var trainerOptions = new TrainerOptions
            {
                Epochs = CliArguments.Positive(parse.GetValue(epochs), "--epochs"),
                LearningRate = parse.GetValue(lr) > 0 ? parse.GetValue(lr) : throw new UsageException($"--lr must be positive; got {parse.GetValue(lr)}."),
                Schedule = LearningRateSchedule.Cosine(minFactor: 0.05),
                GradientClipNorm = 5.0,
                Seed = parse.GetValue(seed),
                OutputDirectory = outDir,
            };
            using var model = parse.GetValue(resume) is { } r
                ? TrainingCheckpoint.LoadModel(CliArguments.ExistingPath(r, "--resume"))
                : BuildModel(parse.GetValue(backbone)!, parse.GetValue(head)!, CliArguments.Positive(parse.GetValue(hidden), "--hidden"),
                    CliArguments.Positive(parse.GetValue(layers), "--layers"), EmotionTaskExtensions.ParseTask(parse.GetValue(task)!),
                    CliArguments.Positive(parse.GetValue(frames), "--frames"), CliArguments.Positive(parse.GetValue(size), "--size"), parse.GetValue(seed),
                    new TransferOptions(parse.GetValue(pretrained), parse.GetValue(freeze),
                        BackboneGiven: parse.GetResult(backbone) is { Implicit: false }, SizeGiven: parse.GetResult(size) is { Implicit: false }));
            if (parse.GetValue(pretrained) is { } from)
                ui.Line($"backbone {model.Options.Backbone.Name} from pretrained '{from}' at {model.Info.FrameSize} px; frozen stages: " +
                        (model.Options.FrozenStages.IsDefaultOrEmpty ? "none" : string.Join(", ", model.Options.FrozenStages)));
            var data = new DataPlan(BatchSize: CliArguments.Positive(parse.GetValue(batch), "--batch-size"));
            var result = TrainingProgressDisplay.Run(ui, model.Info.Task.ToName(), progress =>
                TrainingWorkflow.Train(model, trainSet, validSet, trainerOptions, data, progress, cancellationToken));
            if (validSet is not null)
            {
                var evaluation = TrainingWorkflow.Evaluate(model, validSet, data, cancellationToken);
                evaluation.WriteMetricsJson(Path.Combine(outDir, "metrics.json"));
                ui.MetricsComparison([(model.Info.Task.ToName(), evaluation.Metrics)]);
            }
            ui.Line($"best checkpoint: {result.BestCheckpoint ?? "-"}; last: {result.LastCheckpoint ?? "-"}; history: {Path.Combine(outDir, TrainingHistory.JsonFileName)}");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }

    /// <summary>Transfer-learning choices: pretrained weights by catalogue name and the stages to freeze.</summary>
    /// <param name="Pretrained">A <see cref="Emotion.Torch.Pretrained.PretrainedModels"/> name, or null.</param>
    /// <param name="Freeze">'all' or a comma-separated list of stage names, or null.</param>
    /// <param name="BackboneGiven">Whether --backbone was given explicitly (it must then match the pretrained network's).</param>
    /// <param name="SizeGiven">Whether --size was given explicitly (else a pretrained network's input size is used).</param>
    public sealed record TransferOptions(string? Pretrained = null, string? Freeze = null, bool BackboneGiven = false, bool SizeGiven = false);

    /// <summary>Builds a model from command-line choices; an unknown backbone, pretrained name or stage is a usage error naming the valid ones.</summary>
    public static EmotionModel BuildModel(string backbone, string head, int hidden, int layers, EmotionTask task, int frames, int size, int seed,
        TransferOptions? transfer = null)
    {
        transfer ??= new TransferOptions();
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
            var builder = EmotionModel.Create()
                .WithInput(frames, size)
                .WithBackbone(spec)
                .WithRecurrentHead(HeadSpec.FromName(head, hidden, layers))
                .ForTask(task)
                .WithSeed(seed);
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

    private static EmotionDataset? LoadOptionalSplit(DatasetArguments dataset, ParseResult parse, string split)
    {
        try { return dataset.Load(parse, split); }
        catch (DirectoryNotFoundException) { return null; }
    }
}
