using System.CommandLine;
using Emotion.Cli.Terminal;
using Emotion.Onnx;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Inference;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion predict --model CHECKPOINT|model.onnx --input FILE|DIR --out FILE</c>: per-frame predictions for an image or
/// a folder of frames, in the CSV format of <c>evaluate</c>. An .onnx model runs on ONNX Runtime, a checkpoint on TorchSharp.
/// </summary>
public static class PredictCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<FileSystemInfo>("--model") { Description = "A checkpoint folder or an .onnx file.", Required = true };
        var input = new Option<FileSystemInfo>("--input") { Description = "An image (jpg, png) or a folder of frames named by number.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The CSV file to write.", Required = true };
        var command = new Command("predict", "Predict categories and valence/arousal for every frame of an image or a frame folder.") { modelPath, input, output };
        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string model = CliArguments.ExistingPath(parse.GetValue(modelPath), "--model");
            string source = CliArguments.ExistingPath(parse.GetValue(input), "--input");
            var frames = ReadFrames(source);
            string videoId = Path.GetFileNameWithoutExtension(source.TrimEnd(Path.DirectorySeparatorChar));
            string outPath = parse.GetRequiredValue(output).FullName;
            int count = File.Exists(model) && model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
                ? PredictOnnx(model, videoId, frames, outPath)
                : PredictCheckpoint(model, videoId, frames, outPath, cancellationToken);
            ui.Line($"{count} frames predicted; wrote {outPath}");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }

    private static IReadOnlyList<NumberedFrame> ReadFrames(string source)
    {
        if (Directory.Exists(source))
        {
            var frames = FrameSources.FromFolder(source);
            return frames.Count > 0 ? frames : throw new CommandFailedException($"--input: folder '{source}' holds no jpg or png frames.");
        }
        if (!FrameSources.IsImageFile(source))
            throw new UsageException($"--input: '{source}' is not a supported image (expected {string.Join(", ", FrameSources.ImageExtensions)}) or a folder of frames.");
        return FrameSources.FromFiles([source]);
    }

    private static int PredictOnnx(string modelPath, string videoId, IReadOnlyList<NumberedFrame> frames, string outPath)
    {
        using var predictor = new EmotionPredictor(modelPath, new EmotionPredictorOptions { ResizeFrames = true });
        var rows = new List<PredictionRow>(frames.Count);
        int i = 0;
        foreach (var prediction in predictor.PredictStream(frames.Select(f => f.Source.Decode())))
        {
            rows.Add(new PredictionRow(videoId, prediction with { FrameNumber = frames[i].Number }));
            i++;
        }
        PredictionCsv.Write(outPath, predictor.Categories, rows);
        return rows.Count;
    }

    private static int PredictCheckpoint(string checkpoint, string videoId, IReadOnlyList<NumberedFrame> frames, string outPath, CancellationToken cancellationToken)
    {
        using var model = TrainingCheckpoint.LoadModel(checkpoint);
        var predictor = new FrameSequencePredictor(model);
        var rows = predictor.Predict(frames, cancellationToken).Select(p => new PredictionRow(videoId, p)).ToList();
        PredictionCsv.Write(outPath, model.Info.Categories, rows);
        return rows.Count;
    }
}
