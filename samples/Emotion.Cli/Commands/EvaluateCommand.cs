using System.CommandLine;
using Emotion.Cli.Terminal;
using Emotion.Cli.Workflows;
using Emotion.Core;
using Emotion.Preprocessing.Datasets;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion evaluate --model CHECKPOINT --data DIR --out DIR [--mode streaming|windowed]</c>: scores a trained model on a
/// labelled set and writes <c>metrics.json</c> (with the <c>mode</c> that produced it) and <c>predictions.csv</c>. Streaming
/// (the default) runs each video as <c>emotion predict</c> does, so the metrics describe the deployed model.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<FileSystemInfo>("--model") { Description = "A checkpoint folder written by train or demo (or its model.json).", Required = true };
        var dataset = new DatasetArguments("The Aff-Wild2 root or a CSV manifest to evaluate on.");
        var split = new Option<string>("--split") { Description = "Aff-Wild2 split to evaluate.", DefaultValueFactory = _ => AffWild2Layout.ValidationSplit };
        var batch = new Option<int>("--batch-size") { Description = "Windows per batch (windowed mode).", DefaultValueFactory = _ => 8 };
        var mode = new Option<string>("--mode")
        {
            HelpName = "streaming|windowed",
            Description = "streaming: each video whole, the recurrent state carried and reset at gaps in the frame numbers, as predict and the ONNX predictors run it; " +
                          "windowed: each window of the model's sequence length from a zero state, as in training.",
            DefaultValueFactory = _ => "streaming",
        };
        mode.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && v is not ("streaming" or "windowed"))
                r.AddError($"--mode: unknown evaluation mode '{v}'; expected streaming or windowed.");
        });
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for metrics.json and predictions.csv.", Required = true };
        var command = new Command("evaluate", "Evaluate a trained model: metrics.json (CCC, F1, accuracy, ABAW scores) and per-frame predictions.csv.") { modelPath };
        dataset.AddTo(command);
        command.Add(split);
        command.Add(batch);
        command.Add(mode);
        command.Add(output);
        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string checkpoint = CliArguments.ExistingPath(parse.GetValue(modelPath), "--model");
            LibTorch.Require("evaluate", parse.InvocationConfiguration.Error);
            using var model = TrainingCheckpoint.LoadModel(checkpoint);
            // An 8-class model (trained with --classes 8) is scored on Aff-Wild2's Other too; a 7-class one reads it as unlabeled.
            var data = dataset.Load(parse, parse.GetValue(split)!, includeOther: model.Info.Categories.Contains(EmotionCategory.Other));
            string outDir = parse.GetRequiredValue(output).FullName;
            DatasetArguments.ReportIssues([data], parse.InvocationConfiguration.Error, outDir);
            var evaluationMode = EvaluationModeExtensions.ParseMode(parse.GetValue(mode)!);
            var result = TrainingWorkflow.Evaluate(model, data, new DataPlan(BatchSize: CliArguments.Positive(parse.GetValue(batch), "--batch-size")), cancellationToken,
                evaluationMode);
            Directory.CreateDirectory(outDir);
            result.WriteMetricsJson(Path.Combine(outDir, "metrics.json"));
            result.WritePredictionsCsv(Path.Combine(outDir, "predictions.csv"));
            ui.Line(evaluationMode == EvaluationMode.Streaming
                ? $"mode: streaming ({result.Sequences} sequences: each video streamed whole, the state reset at gaps in the frame numbers)"
                : $"mode: windowed ({result.Sequences} windows of {model.Info.SequenceLength} frames, each from a zero state)");
            ui.MetricsComparison([(model.Info.Task.ToName(), result.Metrics)]);
            ui.Line($"{result.Frames} frames scored; wrote {Path.Combine(outDir, "metrics.json")} and {Path.Combine(outDir, "predictions.csv")}");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }
}
