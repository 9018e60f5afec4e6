using Emotion.Visualization.Coloring;

namespace Emotion.Visualization.Heatmaps;

/// <summary>How a heatmap is coloured and blended over its frame.</summary>
public sealed record HeatmapOverlayOptions
{
    /// <summary>The default options: Turbo, alpha 0.5, values clamped to [0, 1].</summary>
    public static HeatmapOverlayOptions Default { get; } = new();

    /// <summary>The colour map (default <see cref="ColorMaps.Turbo"/>).</summary>
    public ColorMap ColorMap { get; init; } = ColorMaps.Turbo;

    /// <summary>
    /// Weight of the heatmap colour in [0, 1]: each pixel becomes <c>round((1 - Alpha) * frame + Alpha * colour)</c> per channel
    /// (0 shows the frame only, 1 the heatmap only). Default 0.5.
    /// </summary>
    public float Alpha { get; init; } = 0.5f;

    /// <summary>How map values are brought into [0, 1] (default <see cref="HeatmapScaling.Clamp"/>).</summary>
    public HeatmapScaling Scaling { get; init; } = HeatmapScaling.Clamp;

    /// <summary>Checks the values and returns this instance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Alpha is outside [0, 1].</exception>
    /// <exception cref="ArgumentNullException">The colour map is null.</exception>
    public HeatmapOverlayOptions Validate()
    {
        if (!(Alpha >= 0f && Alpha <= 1f))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Expected the heatmap alpha in [0, 1].");
        ArgumentNullException.ThrowIfNull(ColorMap, nameof(ColorMap));
        return this;
    }
}
