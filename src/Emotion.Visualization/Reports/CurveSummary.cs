namespace Emotion.Visualization.Reports;

/// <summary>A training curve's last and best values, in a report's summary.</summary>
/// <param name="Name">The curve's name.</param>
/// <param name="Kind">"loss" or "metric".</param>
/// <param name="Epochs">Number of epochs with a value.</param>
/// <param name="LastEpoch">Epoch of the last value.</param>
/// <param name="Last">The last value.</param>
/// <param name="BestEpoch">Epoch of the best value (lowest loss, highest metric).</param>
/// <param name="Best">The best value.</param>
public sealed record CurveSummary(string Name, string Kind, int Epochs, int LastEpoch, double Last, int BestEpoch, double Best);
