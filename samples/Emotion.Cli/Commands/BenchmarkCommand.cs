using System.CommandLine;
using System.Globalization;
using Emotion.Cli.Terminal;
using Emotion.Cli.Workflows;
using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Spectre.Console;
using TorchSharp;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion benchmark</c>: times inference (frames/s) of one model on every backend available here — the library's
/// TorchSharp model and its ONNX export on ONNX Runtime, on the CPU and on CUDA when present — in each precision of
/// <c>--precision</c> (fp32, int8, fp16, bf16), in batch mode and one frame at a time with the recurrent state carried, and
/// prints one table (backend x device x precision x mode) with the ratios to fp32 and to the fastest. The model is a checkpoint, an
/// .onnx file (ONNX Runtime only) or a fresh network described by <c>--backbone</c> and <c>--head</c>.
/// </summary>
public static class BenchmarkCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<FileSystemInfo?>("--model") { Description = "A model.onnx file (ONNX Runtime only) or a checkpoint folder; without it a fresh network is built from --backbone and --head." };
        var backbone = new Option<string>("--backbone") { Description = "Backbone when no --model is given: " + string.Join(", ", BackboneRegistry.Default.Names) + ".", DefaultValueFactory = _ => BackboneNames.ResNet18 };
        var head = new Option<string>("--head") { Description = "Recurrent head when no --model is given.", DefaultValueFactory = _ => "gru" };
        head.AcceptOnlyFromAmong([.. HeadSpec.Names]);
        var size = new Option<int>("--size") { Description = "Frame size in pixels when no --model is given.", DefaultValueFactory = _ => 112 };
        var batch = new Option<int>("--batch") { Description = "Sequences per call in batch mode.", DefaultValueFactory = _ => 4 };
        var frames = new Option<int>("--frames") { Description = "Frames per sequence in batch mode.", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for TorchSharp and ONNX Runtime alike (default: the core count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var precision = new Option<string>("--precision")
        {
            HelpName = "LIST",
            Description = "Comma-separated precisions: fp32 (default), int8 (the export quantized, QDQ, calibrated on generated frames; ONNX Runtime CPU), " +
                          "fp16 (the export converted to float16; TorchSharp on CUDA), bf16 (TorchSharp backbone autocast; CPUs with native bfloat16, CUDA). " +
                          "Combinations a backend or device lacks are listed under the table with the reason.",
            DefaultValueFactory = _ => "fp32",
        };
        var seconds = new Option<double>("--seconds") { Description = "Timed seconds per backend and mode (after a warm-up of a fifth of it).", DefaultValueFactory = _ => 5 };
        var command = new Command("benchmark", "Measure inference frames/s on every backend available here (TorchSharp, ONNX Runtime; CPU, CUDA).")
        {
            modelPath, backbone, head, size, batch, frames, threads, precision, seconds,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            double duration = parse.GetValue(seconds);
            if (!(duration > 0 && duration <= 3600)) throw new UsageException($"--seconds must be between 0 and 3600; got {duration.ToString(CultureInfo.InvariantCulture)}.");
            var settings = new BenchmarkSettings
            {
                BatchSize = CliArguments.Positive(parse.GetValue(batch), "--batch"),
                SequenceLength = CliArguments.Positive(parse.GetValue(frames), "--frames"),
                Duration = TimeSpan.FromSeconds(duration),
                Threads = CliArguments.Positive(parse.GetValue(threads), "--threads"),
                Precisions = BenchmarkPrecisions.Parse(parse.GetValue(precision), "--precision"),
            };

            string? onnxFile = null;
            EmotionModel? model = null;
            string description;
            if (parse.GetValue(modelPath) is { } given)
            {
                string path = CliArguments.ExistingPath(given, "--model");
                if (File.Exists(path) && path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) onnxFile = path;
                else
                {
                    RequireTorch(parse, settings.Threads);
                    model = TrainingCheckpoint.LoadModel(path);
                }
                description = path;
            }
            else
            {
                RequireTorch(parse, settings.Threads);
                model = TrainCommand.BuildModel(parse.GetValue(backbone)!, parse.GetValue(head)!, hidden: 128, layers: 1, EmotionTask.Combined,
                    settings.SequenceLength, CliArguments.Positive(parse.GetValue(size), "--size"), seed: 0);
                description = $"fresh {model.Options.Backbone.Name} + {parse.GetValue(head)}";
            }

            string temp = Path.Combine(Path.GetTempPath(), "emotion-benchmark-" + Guid.NewGuid().ToString("N"));
            try
            {
                if (onnxFile is null)
                {
                    Directory.CreateDirectory(temp);
                    onnxFile = Path.Combine(temp, "model.onnx");
                    OnnxExporter.Export(model!, onnxFile);
                    description += $", {model!.Info.FrameSize}x{model.Info.FrameSize}, exported to ONNX";
                }
                ui.Line($"model: {description}; batch mode {settings.BatchSize} x {settings.SequenceLength} frames per call; " +
                        $"{duration.ToString("0.###", CultureInfo.InvariantCulture)} s per measurement; {settings.Threads} CPU threads; " +
                        $"precision {string.Join(", ", settings.Precisions.Select(BenchmarkPrecisions.Name))}");
                var report = BenchmarkWorkflow.Run(model, onnxFile, settings, step => ui.Line($"measuring {step} ..."), cancellationToken);
                WriteTable(ui, report);
            }
            finally
            {
                model?.Dispose();
                if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            }
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }

    // TorchSharp runs only for a checkpoint or a fresh model; an .onnx file is measured on ONNX Runtime alone, without libtorch.
    private static void RequireTorch(ParseResult parse, int threads)
    {
        LibTorch.Require("benchmark", parse.InvocationConfiguration.Error);
        torch.set_num_threads(threads);
    }

    private static void WriteTable(ConsoleUi ui, BenchmarkReport report)
    {
        if (report.Fastest is not { } fastest) throw new CommandFailedException("No backend could run: " + string.Join("; ", report.Unavailable));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("backend", "device", "precision", "mode")
            .AddColumn(new TableColumn("frames/s").RightAligned()).AddColumn(new TableColumn("ms per call").RightAligned())
            .AddColumn(new TableColumn("vs fp32").RightAligned())
            .AddColumn(new TableColumn("vs fastest").RightAligned()).AddColumn(new TableColumn("calls").RightAligned());
        foreach (var r in report.Results)
        {
            string mode = r.Mode == InferenceMode.Stream ? "stream, 1 frame" : $"batch {r.BatchSize}x{r.SequenceLength}";
            string vsFp32 = report.Float32Of(r) is { } baseline ? (r.FramesPerSecond / baseline.FramesPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
            table.AddRow(Markup.Escape(r.Backend), r.Device.ToString().ToLowerInvariant(), BenchmarkPrecisions.Name(r.Precision), mode,
                r.FramesPerSecond.ToString("N1", CultureInfo.InvariantCulture), r.MedianMilliseconds.ToString(r.MedianMilliseconds < 10 ? "0.000" : "0.00", CultureInfo.InvariantCulture),
                vsFp32, r.RatioTo(fastest).ToString("0.00", CultureInfo.InvariantCulture) + "x", r.Calls.ToString(CultureInfo.InvariantCulture));
        }
        ui.Console.Write(table);
        ui.Line("frames/s and ms per call are medians of the timed calls; 'vs fp32' is this row's frames/s divided by the fp32 row's of the same backend, " +
                "device and mode (above 1 = faster); 'vs fastest' is the fastest row's frames/s divided by this row's.");
        foreach (var line in report.Notes) ui.Line($"note: {line}");
        foreach (var line in report.Unavailable) ui.Line($"unavailable: {line}");
    }
}
