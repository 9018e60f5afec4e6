using System.CommandLine;
using Emotion.Cli.Terminal;
using Emotion.Cli.Workflows;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion explain --model CHECKPOINT --input DIR --target happiness|valence|arousal|... --out DIR</c>: Grad-CAM (or
/// Grad-CAM++ or gradient saliency) overlays for a folder of frames.
/// </summary>
public static class ExplainCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<FileSystemInfo>("--model") { Description = "A checkpoint folder written by train or demo.", Required = true };
        var input = new Option<DirectoryInfo>("--input") { Description = "A folder of face frames named by number (one video).", Required = true };
        var target = new Option<string>("--target") { Description = "What to explain: a category (neutral, anger, disgust, fear, happiness, sadness, surprise), a contrast such as happiness-vs-neutral (why one category rather than the other), valence or arousal.", Required = true };
        var method = new Option<string>("--method") { Description = "gradcam, gradcam++, hirescam or saliency.", DefaultValueFactory = _ => "gradcam" };
        var layer = new Option<string?>("--layer") { Description = "The backbone layer to explain (default: the backbone's last convolutional stage)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the overlay PNGs.", Required = true };
        var command = new Command("explain", "Write Grad-CAM heatmap overlays showing where the model looks for a category, valence or arousal.")
        {
            modelPath, input, target, method, layer, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string folder = CliArguments.ExistingPath(parse.GetValue(input), "--input");
            if (!Directory.Exists(folder)) throw new UsageException($"--input: expected a folder of frames; '{folder}' is a file.");
            IExplanationTarget explanationTarget;
            IExplanationMethod explanationMethod;
            try
            {
                explanationTarget = ExplanationTargets.Parse(parse.GetValue(target)!);
                explanationMethod = ExplanationMethods.Parse(parse.GetValue(method)!);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new UsageException(e.Message);
            }
            string checkpoint = CliArguments.ExistingPath(parse.GetValue(modelPath), "--model");
            LibTorch.Require("explain", parse.InvocationConfiguration.Error);
            using var model = TrainingCheckpoint.LoadModel(checkpoint);
            var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = explanationMethod, Layer = parse.GetValue(layer) });
            var frames = FrameSources.FromFolder(folder);
            if (frames.Count == 0) throw new CommandFailedException($"--input: folder '{folder}' holds no jpg or png frames.");
            var written = ExplanationWorkflow.WriteOverlays(explainer, frames, explanationTarget, parse.GetRequiredValue(output).FullName, cancellationToken: cancellationToken);
            ui.Line($"{written.Count} overlays ({explanationMethod.Name}, layer {explainer.LayerName ?? "input"}) written to {parse.GetRequiredValue(output).FullName}");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }
}
