using System.Globalization;

namespace Emotion.Preprocessing.Datasets;

/// <summary>Count, range and mean of a labelled value (valence or arousal).</summary>
/// <param name="Count">Frames with the value.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Mean value.</param>
public sealed record ValueStatistics(int Count, float Min, float Max, float Mean)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={Count} min={Min:0.###} max={Max:0.###} mean={Mean:0.###}");
}
