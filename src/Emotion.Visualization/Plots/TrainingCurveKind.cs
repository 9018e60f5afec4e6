namespace Emotion.Visualization.Plots;

/// <summary>Which panel of the training-curve figure a curve belongs to.</summary>
public enum TrainingCurveKind
{
    /// <summary>A loss (lower is better), drawn in the loss panel.</summary>
    Loss,
    /// <summary>A metric such as accuracy, macro F1 or CCC, drawn in the metrics panel.</summary>
    Metric,
}
