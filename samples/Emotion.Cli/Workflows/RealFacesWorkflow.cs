using System.Globalization;
using Emotion.Core;
using Emotion.Core.IO;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Video;
using Emotion.Video;
using Emotion.Visualization.Annotations;
using Emotion.Visualization.Coloring;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Interpretability;
using Emotion.Visualization.Heatmaps;
using Emotion.Core.Faces;
using Emotion.Core.Predictions;

namespace Emotion.Cli.Workflows;

/// <summary>One face found in a photo by <see cref="RealFacesWorkflow"/>.</summary>
/// <param name="Image">The photo's file name.</param>
/// <param name="Face">The detection (box in the photo's pixels and score).</param>
/// <param name="Prediction">The model's prediction on the face crop.</param>
/// <param name="GradCamPath">The Grad-CAM overlay of the predicted category on the face crop, when a TorchSharp model was given.</param>
public sealed record RealFaceResult(string Image, DetectedFace Face, FramePrediction Prediction, string? GradCamPath = null);

/// <summary>What <see cref="RealFacesWorkflow.Run"/> did with the video.</summary>
/// <param name="VideoPath">The video.</param>
/// <param name="Frames">Frames decoded.</param>
/// <param name="Rows">Prediction rows written (one per face and frame).</param>
/// <param name="Streams">Distinct face tracks (prediction streams).</param>
/// <param name="CsvPath">The predictions with their times.</param>
public sealed record RealVideoResult(string VideoPath, int Frames, int Rows, int Streams, string CsvPath);

/// <summary>
/// The demo's step on real faces: BlazeFace finds the faces in real photos (skimage's astronaut and camera, matplotlib's
/// Grace Hopper) and follows them through a real video (OpenCV's Megamind.avi); each face is cropped with a margin and
/// predicted by the given ONNX model (the demo uses the default pretrained real-face model). Writes the photos with their
/// face boxes (coloured by predicted category), a Grad-CAM overlay of each photo face's predicted category (computed on
/// the same model in TorchSharp) and the video's per-face predictions with timestamps and boxes. The files come from the
/// asset cache that <c>./build.sh setup</c> fills.
/// </summary>
public static class RealFacesWorkflow
{
    /// <summary>The photos the demo uses, from assets/assets.tsv.</summary>
    public static IReadOnlyList<string> Photos { get; } = ["astronaut.png", "grace_hopper.jpg", "camera.png"];

    /// <summary>The video the demo uses.</summary>
    public const string Video = "Megamind.avi";

    /// <summary>The BlazeFace model file.</summary>
    public const string Detector = ModelSource.BlazeFaceFile;

    /// <summary>The asset files missing from <paramref name="assets"/>; empty when the step can run.</summary>
    public static IReadOnlyList<string> Missing(string assets) =>
        Photos.Append(Video).Append(Detector).Where(name => !File.Exists(Path.Combine(assets, name))).ToList();

    /// <summary>Runs detection and prediction on the photos and the video and writes the results into <paramref name="outputDirectory"/>.</summary>
    /// <param name="onnxModel">The exported model that predicts.</param>
    /// <param name="explainer">Explains each photo face's predicted category (Grad-CAM overlay), or null to skip.</param>
    /// <param name="assets">The asset cache.</param>
    /// <param name="outputDirectory">Where to write.</param>
    /// <param name="cancellationToken">Stops the step.</param>
    public static (IReadOnlyList<RealFaceResult> Photos, RealVideoResult Video) Run(string onnxModel, EmotionExplainer? explainer, string assets,
        string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        using var detector = new BlazeFaceDetector(Path.Combine(assets, Detector));
        using var predictor = new EmotionPredictor(onnxModel, new EmotionPredictorOptions { ResizeFrames = true });

        var faces = new List<RealFaceResult>();
        foreach (string name in Photos)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var photo = Image.Load<Rgb24>(Path.Combine(assets, name));
            int index = 0;
            foreach (var face in detector.Detect(photo))
            {
                var crop = face.Box.Expand(VideoPredictionOptions.DefaultDetectorMargin);
                var prediction = predictor.Predict(photo, crop);
                string? overlay = explainer is not null && prediction.Category is { } category
                    ? WriteGradCam(explainer, photo, crop, category, Path.Combine(outputDirectory,
                        $"{Path.GetFileNameWithoutExtension(name)}_face{index}_gradcam_{category.ToName()}.png"))
                    : null;
                faces.Add(new RealFaceResult(name, face, prediction, overlay));
                var box = face.Box;
                BoxOutline.Draw(photo, new RectangleF(box.X, box.Y, box.Width, box.Height), Color(prediction), thickness: 3);
                index++;
            }
            photo.SaveAsPng(Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(name) + "_faces.png"));
        }
        return (faces, RunVideo(predictor, detector, Path.Combine(assets, Video), outputDirectory, cancellationToken));
    }

    /// <summary>Grad-CAM of <paramref name="category"/> on the face crop, drawn over the crop as the model saw it.</summary>
    private static string WriteGradCam(EmotionExplainer explainer, Image<Rgb24> photo, FaceBox crop, EmotionCategory category, string path)
    {
        using var face = photo.Clone(c => c.Crop(crop.ClampTo(photo.Width, photo.Height)));
        var frame = new NumberedFrame(1, new InMemoryFrameSource(face, path));
        using var explained = ExplanationWorkflow.ExplainSequence(explainer, [frame], ExplanationTargets.Category(category));
        using var overlay = HeatmapOverlay.Render(explained.Frames[0], explained.Result.Map(0, 0), explained.Result.Height, explained.Result.Width);
        overlay.SaveAsPng(path);
        return path;
    }

    private static RealVideoResult RunVideo(EmotionPredictor predictor, IFaceDetector detector, string videoPath, string outputDirectory,
        CancellationToken cancellationToken)
    {
        var video = new VideoEmotionPredictor(predictor, TrackedFaces(detector));
        string csv = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(videoPath) + "_predictions.csv");
        int rows = 0;
        var streams = new HashSet<string>();
        var frames = new HashSet<int>();
        IEnumerable<PredictionRow> Counted(IEnumerable<PredictionRow> source)
        {
            foreach (var row in source)
            {
                rows++;
                streams.Add(row.VideoId);
                frames.Add(row.Prediction.FrameNumber);
                yield return row;
            }
        }
        AtomicFile.WriteText(csv, writer => PredictionCsv.Write(writer, predictor.Categories, Counted(video.PredictVideo(videoPath, null, cancellationToken)), withTime: true,
            withFaces: true, valenceArousal: predictor.ModelInfo?.ValenceArousalSource ?? ValenceArousalSource.Regressed));
        WriteTrackedFrames(detector, videoPath, outputDirectory, cancellationToken);
        return new RealVideoResult(videoPath, frames.Count, rows, streams.Count, csv);
    }

    /// <summary>
    /// Every 30th frame of the video with the face regions the prediction cropped (tracked, margin included), one colour per
    /// track. A second pass over the video with the same <see cref="FaceRegionFinder"/> settings, because the prediction
    /// rows do not carry their boxes.
    /// </summary>
    private static void WriteTrackedFrames(IFaceDetector detector, string videoPath, string outputDirectory, CancellationToken cancellationToken)
    {
        var faces = new FaceRegionFinder(TrackedFaces(detector), Path.GetFileNameWithoutExtension(videoPath));
        string folder = Path.Combine(outputDirectory, "video_frames");
        Directory.CreateDirectory(folder);
        foreach (var frame in VideoReader.Read(videoPath))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var regions = faces.Find(new PredictionFrame(frame.FrameNumber, frame.TimeSeconds, frame.Image));
            if (frame.FrameNumber % 30 != 0) continue;
            using var copy = frame.Image.Clone();
            foreach (var region in regions)
                if (region.Box is { } box)
                    BoxOutline.Draw(copy, new RectangleF(box.X, box.Y, box.Width, box.Height), CategoryPalette.OfIndex(region.TrackId), thickness: 3);
            copy.SaveAsPng(Path.Combine(folder, $"frame_{frame.FrameNumber.ToString("D4", CultureInfo.InvariantCulture)}.png"));
        }
    }

    private static VideoPredictionOptions TrackedFaces(IFaceDetector detector) => new() { Detector = detector, AllFaces = true };

    private static Rgb24 Color(FramePrediction prediction) =>
        prediction.Category is { } category ? CategoryPalette.Of(category) : new Rgb24(255, 255, 255);
}
