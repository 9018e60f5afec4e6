namespace Emotion.Visualization.Heatmaps;

/// <summary>How map values are brought into [0, 1] before colour mapping.</summary>
public enum HeatmapScaling
{
    /// <summary>Values are taken as they are (expected in [0, 1], as explanation maps normalised per frame are); values outside are clamped.</summary>
    Clamp,
    /// <summary>Values are rescaled linearly so that the map's minimum becomes 0 and its maximum 1 (a constant map becomes 0); for raw maps.</summary>
    MinMax,
}
