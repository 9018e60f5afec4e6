using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Visualization.Plots;

namespace Emotion.Visualization.Reports;

/// <summary>What an interpretability report is made from; every part is optional and the report holds what is given.</summary>
public sealed record InterpretabilityReportInput
{
    /// <summary>The report's title (default "Interpretability report").</summary>
    public string Title { get; init; } = "Interpretability report";

    /// <summary>Category and VA of each frame, labels or predictions (for predictions, convert each <see cref="FramePrediction"/> to a <see cref="FrameLabel"/>); drives the VA plane and the category/VA mapping.</summary>
    public IReadOnlyList<FrameLabel> Frames { get; init; } = [];

    /// <summary>Where <see cref="Frames"/> come from, written in the summary (default "labels"; for example "predictions").</summary>
    public string FramesSource { get; init; } = "labels";

    /// <summary>A model's confusion matrix (rows = target, columns = prediction), or null.</summary>
    public ConfusionMatrix? ConfusionMatrix { get; init; }

    /// <summary>Training curves per epoch, or null.</summary>
    public TrainingCurves? History { get; init; }

    /// <summary>2-D feature-space views, each plotted by category, valence and arousal.</summary>
    public IReadOnlyList<FeatureEmbedding> Embeddings { get; init; } = [];

    /// <summary>Extra images (for example Grad-CAM overlays), saved as PNG and shown in the Markdown summary.</summary>
    public IReadOnlyList<ReportImage> Images { get; init; } = [];

    /// <summary>Number of classes of the categories (default 7).</summary>
    public int ClassCount { get; init; } = EmotionCategories.BasicCount;
}
