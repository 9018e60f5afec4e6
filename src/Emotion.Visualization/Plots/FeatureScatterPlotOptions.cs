using Emotion.Visualization.Coloring;

namespace Emotion.Visualization.Plots;

/// <summary>How a 2-D feature-space view is drawn (<see cref="FeatureScatterPlot"/>).</summary>
public sealed record FeatureScatterPlotOptions
{
    /// <summary>The default options.</summary>
    public static FeatureScatterPlotOptions Default { get; } = new();

    /// <summary>The title (default "Feature space").</summary>
    public string Title { get; init; } = "Feature space";

    /// <summary>Label of the horizontal axis (default "component 1").</summary>
    public string XLabel { get; init; } = "component 1";

    /// <summary>Label of the vertical axis (default "component 2").</summary>
    public string YLabel { get; init; } = "component 2";

    /// <summary>Diameter of the points in pixels (default 5).</summary>
    public float PointSize { get; init; } = 5f;

    /// <summary>Class names in index order; null uses the emotion category names.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The colour map of continuous values (default <see cref="ColorMaps.Turbo"/>).</summary>
    public ColorMap ColorMap { get; init; } = ColorMaps.Turbo;

    /// <summary>Value mapped to the colour map's first colour; null uses the values' minimum. Use -1 for valence or arousal.</summary>
    public double? ValueMin { get; init; }

    /// <summary>Value mapped to the colour map's last colour; null uses the values' maximum. Use 1 for valence or arousal.</summary>
    public double? ValueMax { get; init; }
}
