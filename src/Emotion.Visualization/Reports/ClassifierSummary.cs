namespace Emotion.Visualization.Reports;

/// <summary>How well a classifier (or a model) recovers the categories, in a report's summary.</summary>
/// <param name="Name">What was evaluated (for example <c>nearest-centroid on VA</c>).</param>
/// <param name="Frames">Number of frames scored.</param>
/// <param name="Accuracy">Accuracy in [0, 1].</param>
/// <param name="MacroF1">Macro F1 over all classes in [0, 1].</param>
/// <param name="Counts">The confusion matrix (rows = target, columns = prediction).</param>
public sealed record ClassifierSummary(string Name, long Frames, double Accuracy, double MacroF1, long[][] Counts);
