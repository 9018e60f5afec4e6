using System.Globalization;
using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.Visualization.Coloring;
using ScottPlot;

namespace Emotion.Visualization.Plots;

/// <summary>
/// Draws the valence-arousal plane as the paper does to interpret its models: every frame as a point coloured by its category,
/// each category's centroid with its covariance ellipse (<see cref="CategoryVaMapping"/>), and the categories' reference positions
/// on Russell's circumplex (<see cref="CircumplexReference"/>). Valence runs along x, arousal along y, both over [-1, 1], with the
/// unit circle drawn.
/// </summary>
public static class ValenceArousalPlot
{
    /// <summary>Creates the plot from parallel per-frame arrays; render it with ScottPlot (<c>SavePng</c>, <c>GetImageBytes</c>) and dispose it.</summary>
    /// <param name="categories">Class index per frame, or -1 for a frame without category (drawn grey, left out of centroids).</param>
    /// <param name="valence">Valence per frame.</param>
    /// <param name="arousal">Arousal per frame.</param>
    /// <param name="options">What to draw; null for <see cref="ValenceArousalPlotOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or a value is not finite (the message names the frame).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A category is outside [-1, ClassCount).</exception>
    public static Plot Create(ReadOnlySpan<int> categories, ReadOnlySpan<float> valence, ReadOnlySpan<float> arousal,
        ValenceArousalPlotOptions? options = null)
    {
        options = (options ?? ValenceArousalPlotOptions.Default).Validate();
        int n = categories.Length;
        if (valence.Length != n || arousal.Length != n)
            throw new ArgumentException($"Expected as many valence ({valence.Length}) and arousal ({arousal.Length}) values as categories ({n}).");
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            if ((uint)(categories[i] + 1) > (uint)options.ClassCount)
                throw new ArgumentOutOfRangeException(nameof(categories), categories[i], $"Frame {i} has category {categories[i]}; expected -1 or a class in [0, {options.ClassCount - 1}].");
            xs[i] = valence[i];
            ys[i] = arousal[i];
        }
        CategoryMarkers.CheckPoints(xs, ys, n, "frame");
        var mapping = CategoryVaMapping.Fit(categories, valence, arousal, options.ClassCount);

        var plot = new Plot();
        DrawFrame(plot);
        var legend = new List<LegendItem>();
        if (options.ShowPoints) CategoryMarkers.Add(plot, xs, ys, categories, options.PointSize, options.ClassNames, legend);
        DrawMapping(plot, mapping, options, legend);
        if (options.Reference is { } reference) DrawReference(plot, reference, legend);

        plot.Legend.ManualItems.AddRange(legend);
        plot.ShowLegend(Edge.Right);
        plot.Title(options.Title);
        plot.XLabel("valence");
        plot.YLabel("arousal");
        plot.Axes.SetLimits(-1.1, 1.1, -1.1, 1.1);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>Creates the plot from frames' categories and VA (labels, or predictions converted to labels); frames without VA are left out.</summary>
    /// <exception cref="ArgumentException">A frame's category is beyond the class count.</exception>
    public static Plot Create(IEnumerable<FrameLabel> frames, ValenceArousalPlotOptions? options = null)
    {
        var (categories, valence, arousal) = ToArrays(frames);
        return Create(categories, valence, arousal, options);
    }

    /// <summary>Splits frames with both valence and arousal into parallel arrays (category -1 where absent).</summary>
    internal static (int[] Categories, float[] Valence, float[] Arousal) ToArrays(IEnumerable<FrameLabel> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var categories = new List<int>();
        var valence = new List<float>();
        var arousal = new List<float>();
        foreach (var frame in frames)
        {
            if (!frame.HasValenceArousal) continue;
            categories.Add(frame.Category is { } c ? (int)c : -1);
            valence.Add(frame.Valence!.Value);
            arousal.Add(frame.Arousal!.Value);
        }
        return (categories.ToArray(), valence.ToArray(), arousal.ToArray());
    }

    private static void DrawFrame(Plot plot)
    {
        var circle = plot.Add.Circle(0, 0, 1);
        circle.LineColor = Colors.Gray;
        circle.LinePattern = LinePattern.Dashed;
        circle.FillColor = Colors.Transparent;
        plot.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
        plot.Add.VerticalLine(0, 1, Colors.Gray, LinePattern.Dotted);
    }

    private static void DrawMapping(Plot plot, CategoryVaMapping mapping, ValenceArousalPlotOptions options, List<LegendItem> legend)
    {
        bool ellipses = options.EllipseStandardDeviations > 0;
        foreach (var stats in mapping.Stats)
        {
            var colour = CategoryPalette.OfIndex(stats.ClassIndex).ToScottPlot();
            if (ellipses && stats.Count > 2)
            {
                var outline = stats.Ellipse(options.EllipseStandardDeviations).Points(120);
                var ex = new double[outline.Length + 1];
                var ey = new double[outline.Length + 1];
                for (int i = 0; i <= outline.Length; i++)
                {
                    ex[i] = outline[i % outline.Length].Valence;
                    ey[i] = outline[i % outline.Length].Arousal;
                }
                var line = plot.Add.ScatterLine(ex, ey, colour);
                line.LineWidth = 2;
                line.MarkerSize = 0;
            }
            if (options.ShowCentroids)
            {
                plot.Add.Marker(stats.Centroid.Valence, stats.Centroid.Arousal, MarkerShape.FilledCircle, 14, colour);
                plot.Add.Marker(stats.Centroid.Valence, stats.Centroid.Arousal, MarkerShape.OpenCircle, 14, Colors.Black);
            }
        }
        if (options.ShowCentroids && mapping.Stats.Length > 0)
            legend.Add(new LegendItem { LabelText = "centroid", MarkerShape = MarkerShape.OpenCircle, MarkerColor = Colors.Black, MarkerSize = 12, LineWidth = 0 });
        if (ellipses && mapping.Stats.Length > 0)
            legend.Add(new LegendItem
            {
                LabelText = $"{options.EllipseStandardDeviations.ToString("0.##", CultureInfo.InvariantCulture)} sd ellipse",
                LineColor = Colors.Black, LineWidth = 2,
            });
    }

    private static void DrawReference(Plot plot, CircumplexReference reference, List<LegendItem> legend)
    {
        foreach (var position in reference.Positions)
        {
            var colour = CategoryPalette.Of(position.Category).ToScottPlot();
            var marker = plot.Add.Marker(position.Position.Valence, position.Position.Arousal, MarkerShape.OpenDiamond, 16, colour);
            marker.MarkerLineWidth = 3;
            var label = plot.Add.Text(position.Category.ToName(), position.Position.Valence, position.Position.Arousal);
            label.LabelFontSize = 11;
            label.LabelFontColor = colour;
            label.OffsetX = 9;
            label.OffsetY = -9;
        }
        if (reference.Positions.Length > 0)
            legend.Add(new LegendItem { LabelText = $"reference: {reference.Name}", MarkerShape = MarkerShape.OpenDiamond, MarkerColor = Colors.Black, MarkerSize = 12, LineWidth = 0 });
    }
}
