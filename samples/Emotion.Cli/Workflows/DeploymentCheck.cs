using Emotion.Core.Metrics;
using Emotion.Core.Sequences;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Onnx.Smoothing;
using Emotion.Preprocessing.Datasets;
using Emotion.Torch.Inference;
using Emotion.Torch.Models;

namespace Emotion.Cli.Workflows;

/// <summary>What <see cref="DeploymentCheck.Run"/> found.</summary>
/// <param name="OnnxPath">The exported model.</param>
/// <param name="MaxAbsDifference">The largest difference between ONNX Runtime's and TorchSharp's per-frame outputs (probabilities, valence, arousal).</param>
/// <param name="Raw">Metrics of ONNX Runtime's per-frame predictions.</param>
/// <param name="Smoothed">Metrics of the same predictions after temporal smoothing.</param>
/// <param name="Smoothing">The smoothing that was applied.</param>
public sealed record DeploymentReport(string OnnxPath, double MaxAbsDifference, EmotionMetricsReport Raw, EmotionMetricsReport Smoothed, PredictionSmootherOptions Smoothing);

/// <summary>
/// Exports a trained model to ONNX, runs every video of a dataset through ONNX Runtime as one stream (state carried across
/// chunks, reset at gaps in the frame numbers) and through TorchSharp the same way, and scores ONNX Runtime's predictions with and without temporal smoothing.
/// </summary>
public static class DeploymentCheck
{
    /// <summary>Runs the check.</summary>
    public static DeploymentReport Run(EmotionModel model, string onnxPath, EmotionDataset dataset, PredictionSmootherOptions smoothing, CancellationToken cancellationToken)
    {
        OnnxExporter.Export(model, onnxPath);
        using var predictor = new EmotionPredictor(onnxPath, new EmotionPredictorOptions { ResizeFrames = true });
        var torchPredictor = new FrameSequencePredictor(model);
        int classes = model.Info.Categories.IsDefaultOrEmpty ? 7 : model.Info.Categories.Length;
        var raw = new EmotionMetricsAccumulator(classes);
        var smoothed = new EmotionMetricsAccumulator(classes);
        double maxDiff = 0;
        foreach (var video in dataset.Videos)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Both streams see the frame numbers, so both reset their state at the video's gaps (FrameGaps).
            var onnx = new List<Core.FramePrediction>(video.FrameCount);
            using (var stream = predictor.OpenStream())
            {
                foreach (var frame in video.Frames)
                {
                    using var image = frame.Source.Decode();
                    onnx.AddRange(stream.Push(image, frame.Number));
                }
                onnx.AddRange(stream.Complete());
            }
            var torch = torchPredictor.Predict(video.Frames.Select(f => new Preprocessing.Frames.NumberedFrame(f.Number, f.Source)), cancellationToken).ToList();
            // Smoothing never reaches across a gap either: each run of consecutive frames is smoothed on its own.
            var smooth = new List<Core.FramePrediction>(onnx.Count);
            foreach (var segment in FrameGaps.Segments([.. video.Frames.Select(f => f.Number)]))
                smooth.AddRange(PredictionSmoother.Smooth(onnx[segment], smoothing));
            for (int i = 0; i < video.Frames.Count; i++)
            {
                var label = video.Frames[i].Label;
                raw.Add(onnx[i], label);
                smoothed.Add(smooth[i], label);
                maxDiff = Math.Max(maxDiff, MaxDifference(onnx[i], torch[i]));
            }
        }
        return new DeploymentReport(onnxPath, maxDiff, raw.Compute(), smoothed.Compute(), smoothing);
    }

    private static double MaxDifference(Core.FramePrediction a, Core.FramePrediction b)
    {
        double d = 0;
        if (!a.Probabilities.IsDefaultOrEmpty)
            for (int c = 0; c < a.Probabilities.Length; c++) d = Math.Max(d, Math.Abs(a.Probabilities[c] - b.Probabilities[c]));
        if (a.Valence is { } va && b.Valence is { } vb) d = Math.Max(d, Math.Abs(va - vb));
        if (a.Arousal is { } aa && b.Arousal is { } ab) d = Math.Max(d, Math.Abs(aa - ab));
        return d;
    }
}
