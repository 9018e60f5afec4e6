using System.CommandLine;
using System.Globalization;
using Emotion.Cli.Terminal;
using Emotion.Cli.Workflows;
using Emotion.Core;
using Emotion.Core.IO;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Onnx.Video;
using Emotion.Preprocessing.Annotations;
using Emotion.Torch.Training;
using Emotion.Video;
using Emotion.Core.Predictions;

namespace Emotion.Cli.Commands;

/// <summary>
/// <c>emotion predict --model CHECKPOINT|model.onnx|NAME --input FILE|DIR|VIDEO --out FILE</c>: per-frame predictions for an
/// image, a folder of frames or a video file (mp4, avi, mkv, webm, mov; decoded with ffmpeg), in the CSV format of
/// <c>evaluate</c> plus a <c>time_s</c> column for videos and <c>face,x,y,w,h</c> (track id and box) when faces are found
/// in whole frames. Faces come from the frames themselves (face crops), a face box file (<c>--faces</c>) or a detector
/// (<c>--detector blazeface</c> or an .onnx path). An .onnx model or a pretrained catalogue name (for example
/// <c>face-expression</c>) runs on ONNX Runtime; a checkpoint runs where <c>--backend</c> says: by default (auto) on ONNX
/// Runtime through an in-memory export when it exports (<see cref="CheckpointPredictor"/>), otherwise on TorchSharp. The CSV
/// is the same whichever engine runs; stdout names it. Rows are written as they are predicted, so memory stays flat for a
/// video of any length.
/// </summary>
public static class PredictCommand
{
    /// <summary>
    /// Applies <see cref="VideoPredictionOptions"/>' own rules (boxes or a detector, all faces need a detector, the margin's
    /// range) before the box file is read or the detector opened, as usage errors naming the command-line options.
    /// </summary>
    private static void CheckFaceOptions(VideoPredictionOptions options, bool faces, bool detector)
    {
        try
        {
            options.Validate(faceBoxesPending: faces, detectorPending: detector);
        }
        catch (ArgumentException e)
        {
            string problem = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new UsageException(e.ParamName switch
            {
                nameof(VideoPredictionOptions.FaceBoxes) => $"--faces and --detector exclude each other: {problem}",
                nameof(VideoPredictionOptions.AllFaces) => $"--all-faces needs --detector: {problem}",
                nameof(VideoPredictionOptions.Margin) => $"--margin: {problem}",
                _ => problem,
            });
        }
    }

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<string>("--model")
        {
            HelpName = "PATH|NAME",
            Description = $"A checkpoint folder, an .onnx file, or a pretrained model name ({string.Join(", ", Emotion.Torch.Pretrained.PretrainedModels.Names)}; the default real-face model is {Emotion.Torch.Pretrained.PretrainedModels.DefaultRealFace}).",
            Required = true,
        };
        var input = new Option<FileSystemInfo>("--input")
        {
            Description = "An image (jpg, png), a folder of frames named by number, or a video (mp4, avi, mkv, webm, mov; needs ffmpeg).",
            Required = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "The CSV file to write.", Required = true };
        var every = new Option<int?>("--every") { HelpName = "K", Description = "Video: predict every K-th frame (frames 1, 1+K, 1+2K, ...)." };
        var fps = new Option<double?>("--fps") { HelpName = "F", Description = "Video: predict about F frames per second, chosen by timestamp." };
        var maxFrames = new Option<int?>("--max-frames") { HelpName = "N", Description = "Video: stop after this many predicted frames." };
        var faces = new Option<FileInfo>("--faces") { HelpName = "boxes.csv", Description = "A CSV of face boxes with the header video,frame,x,y,w,h (pixels of the full frame); video is the input's name without extension. Frames without a box are skipped." };
        var detector = new Option<string>("--detector") { HelpName = "blazeface|PATH", Description = "A face detector: 'blazeface' (the BlazeFace model in the asset cache) or an ONNX file, BlazeFace (face_detection_front_128x128) or UltraFace RFB-320: find faces in every frame and crop to them." };
        var allFaces = new Option<bool>("--all-faces") { Description = "With --detector: one prediction stream per tracked face, each with its track id in the face column and a _face<N> suffix in the video column (the default for ONNX models and pretrained names)." };
        var oneFace = new Option<bool>("--one-face") { Description = "With --detector: follow one face (the largest, kept across frames) instead of every face; the default for checkpoints." };
        var margin = new Option<float?>("--margin") { HelpName = "M", Description = $"Grow each face box by this fraction of its size on every side (default {VideoPredictionOptions.DefaultDetectorMargin.ToString(CultureInfo.InvariantCulture)} with --detector, 0 with --faces)." };
        var descriptor = new Option<FileInfo>("--descriptor")
        {
            HelpName = "model.json",
            Description = "For a third-party .onnx model: a JSON OnnxModelDescriptor naming its input (name, size, layout nchw|nhwc, colorOrder rgb|bgr|gray, " +
                          "normalization) and outputs (categoryOutput with labels in order, valence/arousal slots); see docs/deployment.md.",
        };
        var backend = new Option<string>("--backend")
        {
            HelpName = "auto|torch|onnx",
            Description = "For a checkpoint, the engine that runs it: auto (default) runs it on ONNX Runtime through an in-memory export (no file; " +
                          "faster on the CPU: 1.45x on a quiet machine) when the model exports, otherwise on TorchSharp and says why; torch runs it on TorchSharp; onnx on " +
                          "ONNX Runtime, an error when the model does not export. Outputs agree within 1e-4 and the CSV format is the same. An .onnx " +
                          "model or a pretrained name always runs on ONNX Runtime.",
            DefaultValueFactory = _ => "auto",
        };
        backend.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } v && ParseBackend(v) is null)
                r.AddError($"--backend: unknown backend '{v}'; expected {string.Join(", ", BackendNames)}.");
        });
        var ffmpegDir = new Option<DirectoryInfo>("--ffmpeg-dir") { HelpName = "DIR", Description = "The folder holding ffmpeg and ffprobe (default: found on PATH)." };
        var command = new Command("predict", "Predict categories and valence/arousal for every frame of an image, a frame folder or a video.")
        {
            modelPath, input, output, every, fps, maxFrames, faces, detector, allFaces, oneFace, margin, descriptor, backend, ffmpegDir,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var ui = new ConsoleUi(parse.InvocationConfiguration.Output);
            string source = CliArguments.ExistingPath(parse.GetValue(input), "--input");
            string outPath = parse.GetRequiredValue(output).FullName;
            var facesFile = parse.GetValue(faces);
            var detectorFile = parse.GetValue(detector);
            bool explicitAll = parse.GetValue(allFaces), one = parse.GetValue(oneFace);
            if (explicitAll && one) throw new UsageException("--all-faces and --one-face exclude each other.");
            if (one && detectorFile is null) throw new UsageException("--one-face needs --detector (a face box file gives one face per frame).");
            float? boxMargin = parse.GetValue(margin);
            CheckFaceOptions(new VideoPredictionOptions { AllFaces = explicitAll, Margin = boxMargin }, facesFile is not null, detectorFile is not null);

            int? step = parse.GetValue(every);
            double? rate = parse.GetValue(fps);
            int? limit = parse.GetValue(maxFrames);
            var videoOptions = VideoOptions(step, rate, limit, parse.GetValue(ffmpegDir));
            string? detectorPath = detectorFile is null ? null : ModelSource.ResolveDetector(detectorFile, "--detector");
            using var modelSource = ModelSource.Resolve(parse.GetRequiredValue(modelPath), "--model", parse.InvocationConfiguration.Error);
            string model = modelSource.Path;
            bool onnx = modelSource.IsOnnx;
            var backendChoice = ParseBackend(parse.GetValue(backend) ?? "auto") ?? InferenceBackend.Auto;
            bool explicitBackend = parse.GetResult(backend) is { Implicit: false };
            if (onnx && explicitBackend && backendChoice == InferenceBackend.Torch)
                throw new UsageException($"--backend torch runs a checkpoint on TorchSharp; '{parse.GetValue(modelPath)}' is {(modelSource.PretrainedName is null ? "an .onnx model" : "a pretrained model name")}, which runs on ONNX Runtime.");
            if (explicitAll && !onnx && backendChoice == InferenceBackend.Torch)
                throw new UsageException("--all-faces needs ONNX Runtime: give an .onnx model, or a checkpoint with --backend auto or onnx.");
            var modelDescriptor = parse.GetValue(descriptor) is { } descriptorFile ? ReadDescriptor(descriptorFile) : null;
            if (modelDescriptor is not null && !onnx)
                throw new UsageException("--descriptor describes an .onnx model; a checkpoint carries its own description (give the .onnx file as --model).");
            bool all = detectorFile is not null && (onnx ? !one : explicitAll);
            var frames = PredictionInput.Open(source, videoOptions);
            if ((step is not null || rate is not null || limit is not null) && !frames.IsVideo)
                throw new UsageException("--every, --fps and --max-frames apply to video input only.");
            using var detectorModel = detectorPath is null ? null : FaceDetectors.Open(detectorPath);
            bool withFaces = facesFile is not null || detectorModel is not null;
            var faceOptions = new VideoPredictionOptions
            {
                FaceBoxes = facesFile is null ? null : FaceBoxCsv.Read(CliArguments.ExistingFile(facesFile, "--faces")),
                Detector = detectorModel,
                AllFaces = all,
                Margin = boxMargin,
            };
            if (faceOptions.FaceBoxes is { } table && !table.HasVideo(frames.VideoId))
                throw new CommandFailedException(
                    $"--faces: '{facesFile!.FullName}' has no boxes for video '{frames.VideoId}' (the input's name without extension); it has boxes for {string.Join(", ", table.Videos.Take(10).Select(v => $"'{v}'"))}.");

            int count = 0;
            IEnumerable<PredictionRow> Counted(IEnumerable<PredictionRow> rows)
            {
                foreach (var row in rows)
                {
                    count++;
                    yield return row;
                }
            }

            if (onnx)
            {
                using var predictor = new EmotionPredictor(model, new EmotionPredictorOptions { ResizeFrames = true, Descriptor = modelDescriptor });
                ui.Line("backend: ONNX Runtime");
                var videoPredictor = new VideoEmotionPredictor(predictor, faceOptions);
                var vaSource = predictor.ModelInfo?.ValenceArousalSource ?? ValenceArousalSource.Regressed;
                AtomicFile.WriteText(outPath, writer => PredictionCsv.Write(writer, predictor.Categories,
                    Counted(videoPredictor.Predict(frames.Frames(cancellationToken), frames.VideoId, cancellationToken)), withTime: frames.IsVideo,
                    withFaces: withFaces, valenceArousal: vaSource));
                if (vaSource == ValenceArousalSource.CategoryExpectation)
                    ui.Line($"valence/arousal are estimated from the category probabilities (expected circumplex position), not trained: column va_source");
            }
            else
            {
                LibTorch.Require("predict", parse.InvocationConfiguration.Error);
                using var checkpoint = TrainingCheckpoint.LoadModel(model);
                using var predictor = OpenCheckpoint(checkpoint, model, backendChoice);
                ui.Line(predictor.Backend == InferenceBackend.OnnxRuntime
                    ? "backend: ONNX Runtime (in-memory export of the checkpoint)"
                    : predictor.FallbackReason is { } reason ? $"backend: TorchSharp (ONNX Runtime not used: {reason})" : "backend: TorchSharp");
                if (all && predictor.OnnxPredictor is null)
                    throw new CommandFailedException($"--all-faces needs ONNX Runtime, and this checkpoint runs on TorchSharp: {predictor.FallbackReason}");
                var rows = all
                    ? new VideoEmotionPredictor(predictor.OnnxPredictor!, faceOptions).Predict(frames.Frames(cancellationToken), frames.VideoId, cancellationToken)
                    : StreamingPrediction.Checkpoint(predictor, frames, new FaceRegionFinder(faceOptions, frames.VideoId), cancellationToken);
                AtomicFile.WriteText(outPath, writer => PredictionCsv.Write(writer, checkpoint.Info.Categories,
                    Counted(rows), withTime: frames.IsVideo, withFaces: withFaces, valenceArousal: checkpoint.Info.ValenceArousalSource));
            }
            if (frames.Video is { } video)
            {
                var info = video.Info;
                ui.Line($"video {info.Width}x{info.Height}, {info.FrameRate.ToString("0.###", CultureInfo.InvariantCulture)} fps, " +
                        $"{info.Duration.ToString("0.##", CultureInfo.InvariantCulture)} s, {info.Codec}; sampled {video.Options.Sampling}");
            }
            ui.Line(withFaces ? $"{count} face{(count == 1 ? "" : "s")} predicted; wrote {outPath}" : $"{count} frames predicted; wrote {outPath}");
            if (frames.EndedEarly is { } early)
            {
                parse.InvocationConfiguration.Error.WriteLine("warning: " + early.Message);
                ui.Line($"video ended early: {early.FramesRead} of {early.FramesDeclared} declared frames read");
            }
            return Task.FromResult(EmotionCli.Success);
        });
        return command;
    }

    /// <summary>The values <c>--backend</c> accepts.</summary>
    private static readonly string[] BackendNames = ["auto", "torch", "onnx"];

    private static InferenceBackend? ParseBackend(string value) => value.ToLowerInvariant() switch
    {
        "auto" => InferenceBackend.Auto,
        "torch" => InferenceBackend.Torch,
        "onnx" => InferenceBackend.OnnxRuntime,
        _ => null,
    };

    /// <summary>
    /// The checkpoint's predictor on the chosen backend; with <c>--backend onnx</c>, a model that does not export or that ONNX
    /// Runtime refuses is a command failure with the reason on one line.
    /// </summary>
    private static CheckpointPredictor OpenCheckpoint(Emotion.Torch.Models.EmotionModel model, string path, InferenceBackend backend)
    {
        try
        {
            return new CheckpointPredictor(model, new CheckpointPredictorOptions { Backend = backend }, modelName: $"checkpoint {path}");
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOnnxModelException or ExecutionProviderUnavailableException)
        {
            throw new CommandFailedException($"--backend onnx: {OneLine(e.Message)}", e);
        }
    }

    private static string OneLine(string message) => string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Reads <c>--descriptor</c>; a missing or invalid file is a usage error naming the option.</summary>
    private static Emotion.Onnx.Models.OnnxModelDescriptor ReadDescriptor(FileInfo file)
    {
        string path = CliArguments.ExistingFile(file, "--descriptor");
        try
        {
            return Emotion.Onnx.Models.OnnxModelDescriptor.FromJson(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--descriptor: '{path}': {e.Message}");
        }
    }

    private static VideoReaderOptions VideoOptions(int? every, double? fps, int? maxFrames, DirectoryInfo? ffmpegDir)
    {
        if (every is not null && fps is not null) throw new UsageException("--every and --fps exclude each other: choose a frame step or a frame rate.");
        if (every is not null) CliArguments.Positive(every.Value, "--every");
        if (fps is not null && !(fps > 0 && double.IsFinite(fps.Value))) throw new UsageException($"--fps must be a positive number; got {fps}.");
        if (maxFrames is not null) CliArguments.Positive(maxFrames.Value, "--max-frames");
        return new VideoReaderOptions
        {
            Sampling = every is { } k ? FrameSampling.EveryNth(k) : fps is { } f ? FrameSampling.TargetRate(f) : FrameSampling.All,
            MaxFrames = maxFrames,
            BinaryFolder = ffmpegDir?.FullName,
        };
    }
}
