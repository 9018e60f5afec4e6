using Emotion.Core.Metrics;
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
/// chunks) and through TorchSharp the same way, and scores ONNX Runtime's predictions with and without temporal smoothing.
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
            var onnx = predictor.PredictStream(video.Frames.Select(f => f.Source.Decode())).ToList();
            var torch = torchPredictor.Predict(video.Frames.Select(f => new Preprocessing.Frames.NumberedFrame(f.Number, f.Source)), cancellationToken).ToList();
            var smooth = PredictionSmoother.Smooth(onnx, smoothing);
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
