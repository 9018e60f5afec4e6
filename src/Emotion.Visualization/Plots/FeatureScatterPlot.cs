using Emotion.Visualization.Coloring;
using ScottPlot;

namespace Emotion.Visualization.Plots;

/// <summary>
/// Draws a 2-D view of learned per-frame features (for example the coordinates of a PCA or t-SNE of the backbone's or the recurrent
/// head's output): coloured by category, or by a continuous value such as valence or arousal with a colour bar.
/// </summary>
public static class FeatureScatterPlot
{
    /// <summary>Points coloured by class, with a legend.</summary>
    /// <param name="x">First coordinate per frame.</param>
    /// <param name="y">Second coordinate per frame.</param>
    /// <param name="categories">Class index per frame, or -1 for a frame without category (drawn grey).</param>
    /// <param name="options">Labels and sizes; null for <see cref="FeatureScatterPlotOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or a coordinate is not finite.</exception>
    public static Plot CreateByCategory(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<int> categories,
        FeatureScatterPlotOptions? options = null)
    {
        options ??= FeatureScatterPlotOptions.Default;
        CategoryMarkers.CheckPoints(x, y, categories.Length, "feature");
        var plot = new Plot();
        var legend = new List<LegendItem>();
        CategoryMarkers.Add(plot, x, y, categories, options.PointSize, options.ClassNames, legend);
        plot.Legend.ManualItems.AddRange(legend);
        plot.ShowLegend(Edge.Right);
        Label(plot, options, options.Title);
        return plot;
    }

    /// <summary>Points coloured by a continuous value through <see cref="FeatureScatterPlotOptions.ColorMap"/>, with a colour bar.</summary>
    /// <param name="x">First coordinate per frame.</param>
    /// <param name="y">Second coordinate per frame.</param>
    /// <param name="values">The value per frame (for example valence).</param>
    /// <param name="valueName">The value's name, shown on the colour bar and in the title.</param>
    /// <param name="options">Colour map, range, labels and sizes; null for <see cref="FeatureScatterPlotOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ, or a coordinate or value is not finite, or the range is empty.</exception>
    public static Plot CreateByValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<float> values, string valueName,
        FeatureScatterPlotOptions? options = null)
    {
        options ??= FeatureScatterPlotOptions.Default;
        ArgumentNullException.ThrowIfNull(valueName);
        CategoryMarkers.CheckPoints(x, y, values.Length, "feature");
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw new ArgumentException($"Value {i} ({valueName}) is not finite: {values[i]}.", nameof(values));
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }
        min = options.ValueMin ?? (values.IsEmpty ? 0 : min);
        max = options.ValueMax ?? (values.IsEmpty ? 1 : max);
        if (min == max) { min -= 0.5; max += 0.5; }
        if (!(max > min)) throw new ArgumentException($"The colour range [{min}, {max}] is empty.", nameof(options));

        var plot = new Plot();
        var map = options.ColorMap;
        // One markers plottable per colour-map entry keeps the plottable count bounded (at most 256) for thousands of points.
        var buckets = new List<int>?[ColorMap.Size];
        for (int i = 0; i < values.Length; i++)
        {
            int entry = (int)Math.Round(Math.Clamp((values[i] - min) / (max - min), 0.0, 1.0) * (ColorMap.Size - 1));
            (buckets[entry] ??= []).Add(i);
        }
        for (int entry = 0; entry < ColorMap.Size; entry++)
        {
            if (buckets[entry] is not { } members) continue;
            var px = new double[members.Count];
            var py = new double[members.Count];
            for (int j = 0; j < members.Count; j++) { px[j] = x[members[j]]; py[j] = y[members[j]]; }
            plot.Add.Markers(px, py, MarkerShape.FilledCircle, options.PointSize, map[entry].ToScottPlot());
        }
        var bar = plot.Add.ColorBar(new ScottPlotInterop.ColorAxis(map, min, max));
        bar.Label = valueName;
        Label(plot, options, $"{options.Title} by {valueName}");
        return plot;
    }

    private static void Label(Plot plot, FeatureScatterPlotOptions options, string title)
    {
        plot.Title(title);
        plot.XLabel(options.XLabel);
        plot.YLabel(options.YLabel);
    }
}
