using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Analysis;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Visualization.Heatmaps;
using Emotion.Visualization.Plots;
using Emotion.Visualization.Reports;
using SixLabors.ImageSharp;
using static TorchSharp.torch;

namespace Emotion.Cli.Workflows;

/// <summary>
/// The demo's interpretation of a trained model, as in the paper: a Grad-CAM overlay for every category (on a validation
/// frame labelled with it, explained in its sequence), and the category / valence-arousal mapping report with the
/// confusion matrix, training curves and a t-SNE / PCA view of the learned per-frame features.
/// </summary>
public static class InterpretabilityWorkflow
{
    /// <summary>
    /// Writes an overlay per category (<c>CATEGORY.png</c>, the last frame of a window labelled with it, and
    /// <c>CATEGORY_sequence.png</c>, the whole window) into <paramref name="folder"/>; returns the categories drawn.
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="dataset">Where to find a labelled window per category.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="options">Method and layer; null: Grad-CAM at the backbone's default layer.</param>
    /// <param name="target">The target per category; null: the category's logit.</param>
    public static IReadOnlyList<EmotionCategory> WriteCategoryOverlays(EmotionModel model, EmotionDataset dataset, string folder,
        ExplanationOptions? options = null, Func<EmotionCategory, IExplanationTarget>? target = null)
    {
        Directory.CreateDirectory(folder);
        var explainer = new EmotionExplainer(model, options);
        target ??= ExplanationTargets.Category;
        int length = Math.Max(1, model.Info.SequenceLength);
        var drawn = new List<EmotionCategory>();
        foreach (var category in model.Info.Categories)
        {
            if (FindWindow(dataset, category, length) is not { } window) continue;
            using var explained = ExplanationWorkflow.ExplainSequence(explainer, window, target(category));
            var result = explained.Result;
            int last = window.Count - 1;
            using (var overlay = HeatmapOverlay.Render(explained.Frames[last], result.Map(0, last), result.Height, result.Width))
                overlay.SaveAsPng(Path.Combine(folder, $"{category.ToName()}.png"));
            using (var strip = SequenceStrip.Render(explained.Frames, result.SequenceMaps(0), result.Height, result.Width))
                strip.SaveAsPng(Path.Combine(folder, $"{category.ToName()}_sequence.png"));
            drawn.Add(category);
        }
        return drawn;
    }

    /// <summary>Writes the mapping report (VA plane by category, confusion matrix, curves, feature embeddings) into <paramref name="folder"/>.</summary>
    public static InterpretabilityReportResult WriteReport(EmotionModel model, EmotionDataset dataset, EvaluationResult evaluation,
        TrainingHistory history, string folder, int seed, CancellationToken cancellationToken)
    {
        var predicted = evaluation.Predictions
            .Select(p => new FrameLabel(p.Prediction.Category, p.Prediction.Valence, p.Prediction.Arousal))
            .ToList();
        var (features, labels, width) = CollectFeatures(model, dataset, maxFrames: 800, cancellationToken);
        int rows = labels.Count;
        var embeddings = new List<FeatureEmbedding>();
        if (rows > 3)
        {
            var (_, scores) = Pca.FitTransform(features, rows, width, components: 2);
            embeddings.Add(new FeatureEmbedding("PCA", Column(scores, 0), Column(scores, 1), labels));
            if (rows > 3 * 30)
            {
                var tsne = TSne.Embed(features, rows, width, new TSneOptions { Seed = seed, Iterations = 750 }, cancellationToken);
                var points = tsne.Embedding.Select(v => (float)v).ToArray();
                embeddings.Add(new FeatureEmbedding("t-SNE", Column(points, 0), Column(points, 1), labels));
            }
        }

        var curves = TrainingCurves.Empty
            .Add("train loss", history.Epochs.Select(e => e.TrainLoss).ToList(), TrainingCurveKind.Loss)
            .Add("validation loss", history.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToList(), TrainingCurveKind.Loss)
            .Add("macro F1", history.Epochs.Select(e => e.Validation?.MacroF1 ?? double.NaN).ToList())
            .Add("CCC valence", history.Epochs.Select(e => e.Validation?.CccValence ?? double.NaN).ToList())
            .Add("CCC arousal", history.Epochs.Select(e => e.Validation?.CccArousal ?? double.NaN).ToList());

        return InterpretabilityReport.Write(folder, new InterpretabilityReportInput
        {
            Title = "Combined model on the synthetic validation videos",
            Frames = predicted,
            FramesSource = "predictions",
            ConfusionMatrix = evaluation.Metrics.ConfusionMatrix,
            History = curves,
            Embeddings = embeddings,
        });
    }

    // The longest run of frames labelled `category` in any video; the window ends at the run's middle (the expression's apex).
    private static IReadOnlyList<NumberedFrame>? FindWindow(EmotionDataset dataset, EmotionCategory category, int length)
    {
        (VideoRecord Video, int Start, int Length) best = default;
        foreach (var video in dataset.Videos)
        {
            int start = -1;
            for (int i = 0; i <= video.Frames.Count; i++)
            {
                bool match = i < video.Frames.Count && video.Frames[i].Label.Category == category;
                if (match && start < 0) start = i;
                if (!match && start >= 0)
                {
                    if (i - start > best.Length) best = (video, start, i - start);
                    start = -1;
                }
            }
        }
        if (best.Video is null) return null;
        int end = best.Start + best.Length / 2;
        int first = Math.Max(0, end - length + 1);
        return best.Video.Frames.Skip(first).Take(end - first + 1).Select(f => new NumberedFrame(f.Number, f.Source)).ToList();
    }

    private static (float[] Features, List<FrameLabel> Labels, int Width) CollectFeatures(EmotionModel model, EmotionDataset dataset, int maxFrames, CancellationToken cancellationToken)
    {
        var info = model.Info;
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization });
        using var loader = SequenceBatchLoader.ForEvaluation(dataset, pipeline, info.SequenceLength, batchSize: 8);
        var features = new List<float>();
        var labels = new List<FrameLabel>();
        int width = 0;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            foreach (var batch in loader.ReadEpoch(0, cancellationToken))
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                using var output = model.call(SequenceBatchTensors.Frames(batch, model.Device));
                var f = output.Features.cpu();
                width = (int)f.shape[2];
                var values = f.data<float>().ToArray();
                for (int b = 0; b < batch.BatchSize; b++)
                for (int t = 0; t < batch.SequenceLength; t++)
                {
                    int i = batch.Index(b, t);
                    if (!batch.FrameMask[i] || labels.Count >= maxFrames) continue;
                    features.AddRange(values.AsSpan(i * width, width));
                    labels.Add(batch.GetLabel(b, t));
                }
                if (labels.Count >= maxFrames) break;
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return (features.ToArray(), labels, width);
    }

    private static ImmutableArray<double> Column(float[] points, int column) =>
        Enumerable.Range(0, points.Length / 2).Select(i => (double)points[2 * i + column]).ToImmutableArray();
}
