namespace Emotion.Visualization.Plots;

/// <summary>
/// One quantity measured once per epoch, for example <c>train loss</c> or <c>valid CCC valence</c>. Value <c>i</c> belongs to epoch
/// <c>FirstEpoch + i</c>; NaN marks an epoch where the quantity was not measured (it is left out of the plot, not drawn as 0).
/// </summary>
/// <param name="Name">The legend label; unique within a <see cref="TrainingCurves"/>.</param>
/// <param name="Values">The value per epoch.</param>
/// <param name="Kind">Whether it is a loss or a metric.</param>
/// <param name="FirstEpoch">The epoch number of the first value (default 1).</param>
public sealed record TrainingCurve(string Name, IReadOnlyList<double> Values, TrainingCurveKind Kind = TrainingCurveKind.Metric, int FirstEpoch = 1)
{
    /// <summary>The last measured (non-NaN) value and its epoch, or null when no value was measured.</summary>
    public (int Epoch, double Value)? Last()
    {
        for (int i = Values.Count - 1; i >= 0; i--)
            if (!double.IsNaN(Values[i])) return (FirstEpoch + i, Values[i]);
        return null;
    }
}
