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
        var resume = new Option<FileSystemInfo?>("--resume") { Description = "Continue from a checkpoint folder (its architecture is used; model options are ignored)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for checkpoints, history.json/csv and metrics.json.", Required = true };

        var command = new Command("train", "Train a CNN + RNN emotion model on your data.");
        dataset.AddTo(command);
        foreach (var option in new Option[] { validation, backbone, head, hidden, layers, task, epochs, frames, size, batch, lr, seed, resume, output })
            command.Add(option);

        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string outDir = parse.GetRequiredValue(output).FullName;
            var trainSet = dataset.Load(parse, AffWild2Layout.TrainingSplit);
            EmotionDataset? validSet = dataset.IsCsv(parse)
                ? parse.GetValue(validation) is { } v ? CsvManifestDataset.Load(CliArguments.ExistingFile(v, "--validation-data")) : null
                : LoadOptionalSplit(dataset, parse, AffWild2Layout.ValidationSplit);
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
                    CliArguments.Positive(parse.GetValue(frames), "--frames"), CliArguments.Positive(parse.GetValue(size), "--size"), parse.GetValue(seed));
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

    /// <summary>Builds a model from command-line choices; an unknown backbone is a usage error naming the valid ones.</summary>
    public static EmotionModel BuildModel(string backbone, string head, int hidden, int layers, EmotionTask task, int frames, int size, int seed)
    {
        if (!BackboneRegistry.Default.Contains(backbone))
            throw new UsageException($"--backbone: unknown backbone '{backbone}'; expected one of {string.Join(", ", BackboneRegistry.Default.Names)}.");
        try
        {
            return EmotionModel.Create()
                .WithInput(frames, size)
                .WithBackbone(BackboneSpec.Named(backbone))
                .WithRecurrentHead(HeadSpec.FromName(head, hidden, layers))
                .ForTask(task)
                .WithSeed(seed)
                .Build();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static EmotionDataset? LoadOptionalSplit(DatasetArguments dataset, ParseResult parse, string split)
    {
        try { return dataset.Load(parse, split); }
        catch (DirectoryNotFoundException) { return null; }
    }
}
