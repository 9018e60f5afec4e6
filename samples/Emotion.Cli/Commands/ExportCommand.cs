using System.CommandLine;
using Emotion.Cli.Workflows;
using System.Globalization;
using Emotion.Cli.Terminal;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Precision;
using Emotion.Onnx.Export.Quantization;
using Emotion.Torch.Training;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion export --model CHECKPOINT|NAME --out model.onnx [--int8 --calibration DATA | --fp16]</c>: writes the ONNX graph of a
/// trained model, or of a pretrained catalogue model (for example <c>face-expression</c>), with its metadata; with
/// <c>--int8</c>, statically quantized to int8 (QDQ) with activation ranges calibrated on DATA; with <c>--fp16</c>, converted
/// to float16 (<see cref="Float16Converter"/>).
/// </summary>
public static class ExportCommand
{
    /// <summary>Calibration methods accepted by <c>--calibration-method</c>.</summary>
    public static readonly string[] CalibrationMethods = ["minmax", "percentile", "entropy"];

    /// <summary>Activation types accepted by <c>--activations</c>.</summary>
    public static readonly string[] ActivationTypes = ["uint8", "int8"];

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
        var int8 = new Option<bool>("--int8")
        {
            Description = "Quantize to int8 (static, QDQ format: per-channel int8 weights, calibrated 8-bit activations; recurrent head and output layers stay fp32). Needs --calibration.",
        };
        var fp16 = new Option<bool>("--fp16")
        {
            Description = "Convert to float16 (weights and activations; float32 inputs and outputs behind Cast nodes, so callers are unchanged). Half the file size; faster on GPUs only.",
        };
        var calibration = new Option<FileSystemInfo>("--calibration")
        {
            HelpName = "DATA",
            Description = "Frames to calibrate the int8 activation ranges on: an Aff-Wild2 root (its Training_Set videos), a CSV manifest, or a folder of face crops.",
        };
        var method = new Option<string>("--calibration-method")
        {
            Description = "How activation ranges are chosen: minmax, percentile (see --percentile) or entropy (KL divergence).",
            DefaultValueFactory = _ => "percentile",
        };
        OneOf(method, CalibrationMethods);
        var percentile = new Option<double>("--percentile")
        {
            Description = "For --calibration-method percentile: percent of the values kept inside the range on each side (90 to 100).",
            DefaultValueFactory = _ => QuantizationOptions.Default.Percentile,
        };
        var frames = new Option<int>("--calibration-frames")
        {
            Description = "The most calibration frames used (spread evenly over the videos).",
            DefaultValueFactory = _ => QuantizationOptions.Default.MaxCalibrationFrames,
        };
        var activations = new Option<string>("--activations")
        {
            Description = "Quantized activation type: uint8 (U8S8, ONNX Runtime's native x86 form) or int8 (S8S8).",
            DefaultValueFactory = _ => "uint8",
        };
        OneOf(activations, ActivationTypes);
        var command = new Command("export", "Export a trained model to ONNX, optionally quantized to int8 or converted to float16 (opset, metadata and quantization in docs/onnx-export.md).")
        {
            modelPath, output, noState, int8, fp16, calibration, method, percentile, frames, activations,
        };
        command.SetAction((parse, _) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            // Usage checks first, before the model is loaded.
            QuantizationOptions? quantization = null;
            string? calibrationPath = null;
            bool quantize = parse.GetValue(int8);
            bool half = parse.GetValue(fp16);
            if (quantize && half) throw new UsageException("--fp16: choose one of --int8 and --fp16.");
            var int8Only = new Option[] { calibration, method, percentile, frames, activations }.Where(o => parse.GetResult(o) is { Implicit: false }).ToList();
            if (!quantize && int8Only.Count > 0)
                throw new UsageException($"--int8: {string.Join(", ", int8Only.Select(o => o.Name))} only {(int8Only.Count == 1 ? "applies" : "apply")} to an int8 export; add --int8.");
            if (quantize)
            {
                if (parse.GetResult(calibration) is null)
                    throw new UsageException("--calibration: --int8 needs calibration frames (an Aff-Wild2 root, a CSV manifest or a folder of face crops).");
                calibrationPath = CliArguments.ExistingPath(parse.GetValue(calibration), "--calibration");
                double p = parse.GetValue(percentile);
                if (!(p >= 90 && p <= 100))
                    throw new UsageException($"--percentile must be between 90 and 100; got {p.ToString(CultureInfo.InvariantCulture)}.");
                quantization = QuantizationOptions.Default with
                {
                    Method = parse.GetValue(method) switch
                    {
                        "minmax" => CalibrationMethod.MinMax,
                        "entropy" => CalibrationMethod.Entropy,
                        _ => CalibrationMethod.Percentile,
                    },
                    Percentile = p,
                    MaxCalibrationFrames = CliArguments.Positive(parse.GetValue(frames), "--calibration-frames"),
                    Activations = parse.GetValue(activations) == "int8" ? QuantizedActivationType.Int8 : QuantizedActivationType.UInt8,
                };
            }

            string argument = parse.GetRequiredValue(modelPath);
            bool pretrained = !Directory.Exists(argument) && !File.Exists(argument) && Emotion.Torch.Pretrained.PretrainedModels.Contains(argument);
            string? checkpoint = pretrained ? null : CliArguments.ExistingPath(new DirectoryInfo(argument), "--model");
            LibTorch.Require("export", parse.InvocationConfiguration.Error);
            using var model = checkpoint is not null
                ? TrainingCheckpoint.LoadModel(checkpoint)
                : Workflows.ModelSource.LoadPretrained(argument, "--model");
            string path = parse.GetRequiredValue(output).FullName;
            var exportOptions = OnnxExportOptions.Default with { StateInputs = !parse.GetValue(noState) };
            if (half)
            {
                OnnxModelFile.Save(Float16Converter.Convert(OnnxExporter.ToModel(model, exportOptions)), path);
                ui.Line($"wrote {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MiB, fp16 weights and activations, fp32 inputs and outputs)");
                return Task.FromResult(EmotionCli.Success);
            }
            if (quantization is null)
            {
                OnnxExporter.Export(model, path, exportOptions);
                ui.Line($"wrote {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MiB)");
                return Task.FromResult(EmotionCli.Success);
            }

            CalibrationData data;
            try
            {
                data = CalibrationData.FromFolder(calibrationPath!, model.Info, quantization.MaxCalibrationFrames);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or ArgumentException)
            {
                throw new UsageException($"--calibration: {e.Message}");
            }
            var fp32 = OnnxExporter.ToModel(model, exportOptions);
            var result = OnnxQuantizer.Quantize(fp32, data, quantization);
            OnnxModelFile.Save(result.Model, path);
            ui.Line($"calibrated on {result.CalibrationFrames} frames of {data.Description}");
            ui.Line(result.Summary);
            ui.Line($"wrote {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MiB, int8)");
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }

    /// <summary>Accepts only <paramref name="allowed"/>, with an error that names the option (exit 2).</summary>
    private static void OneOf(Option<string> option, string[] allowed)
    {
        option.CompletionSources.Add(allowed);
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is null || !allowed.Contains(value, StringComparer.Ordinal))
                result.AddError($"{option.Name}: unknown value '{value}'; expected {string.Join(", ", allowed)}.");
        });
    }
}
