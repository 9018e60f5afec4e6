using System.CommandLine;
using Emotion.Cli.Workflows;
using Emotion.Cli.Terminal;
using Emotion.Onnx.Export;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion export --model CHECKPOINT|NAME --out model.onnx</c>: writes the ONNX graph of a trained model, or of a pretrained
/// catalogue model (for example <c>face-expression</c>), with its metadata.
/// </summary>
public static class ExportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<string>("--model")
        {
            HelpName = "PATH|NAME",
            Description = $"A checkpoint folder written by train or demo, or a pretrained model name ({string.Join(", ", Emotion.Torch.Pretrained.PretrainedModels.Names)}).",
            Required = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "The .onnx file to write.", Required = true };
        var noState = new Option<bool>("--no-state") { Description = "Leave out the recurrent-state inputs and outputs (no chunked streaming)." };
        var command = new Command("export", "Export a trained model to ONNX (opset and metadata described in docs/onnx-export.md).") { modelPath, output, noState };
        command.SetAction((parse, _) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string argument = parse.GetRequiredValue(modelPath);
            bool pretrained = !Directory.Exists(argument) && !File.Exists(argument) && Emotion.Torch.Pretrained.PretrainedModels.Contains(argument);
            string? checkpoint = pretrained ? null : CliArguments.ExistingPath(new DirectoryInfo(argument), "--model");
            LibTorch.Require("export", parse.InvocationConfiguration.Error);
            using var model = checkpoint is not null
                ? TrainingCheckpoint.LoadModel(checkpoint)
                : Workflows.ModelSource.LoadPretrained(argument, "--model");
            string path = parse.GetRequiredValue(output).FullName;
            OnnxExporter.Export(model, path, OnnxExportOptions.Default with { StateInputs = !parse.GetValue(noState) });
            ui.Line($"wrote {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MiB)");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }
}
