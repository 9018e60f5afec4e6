using ScottPlot;

namespace Emotion.Visualization.Plots;

/// <summary>Draws training curves: losses per epoch in one panel, metrics per epoch in another.</summary>
public static class TrainingCurvesPlot
{
    /// <summary>The loss curves against the epoch (an empty plot with a note when there are none).</summary>
    /// <exception cref="ArgumentException">The curves are invalid (see <see cref="TrainingCurves.Validate"/>).</exception>
    public static Plot CreateLossPlot(TrainingCurves curves) => CreatePanel(curves, TrainingCurveKind.Loss, "Loss", "loss");

    /// <summary>The metric curves against the epoch (an empty plot with a note when there are none).</summary>
    /// <exception cref="ArgumentException">The curves are invalid (see <see cref="TrainingCurves.Validate"/>).</exception>
    public static Plot CreateMetricsPlot(TrainingCurves curves) => CreatePanel(curves, TrainingCurveKind.Metric, "Metrics", "value");

    /// <summary>
    /// The figure with the loss panel on the left and the metrics panel on the right (a kind without curves is left out).
    /// Render it with <c>SavePng</c> on the returned <see cref="Multiplot"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The curves are invalid, or there are none.</exception>
    public static Multiplot CreateFigure(TrainingCurves curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        curves.Validate();
        if (curves.Curves.IsDefaultOrEmpty) throw new ArgumentException("There are no training curves to plot.", nameof(curves));
        bool hasLoss = curves.OfKind(TrainingCurveKind.Loss).Any(), hasMetric = curves.OfKind(TrainingCurveKind.Metric).Any();
        var first = hasLoss ? CreateLossPlot(curves) : CreateMetricsPlot(curves);
        var figure = new Multiplot(first);
        if (hasLoss && hasMetric) figure.AddPlot(CreateMetricsPlot(curves));
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return figure;
    }

    private static Plot CreatePanel(TrainingCurves curves, TrainingCurveKind kind, string title, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(curves);
        curves.Validate();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var curve in curves.OfKind(kind))
        {
            var xs = new List<double>(curve.Values.Count);
            var ys = new List<double>(curve.Values.Count);
            for (int i = 0; i < curve.Values.Count; i++)
            {
                if (double.IsNaN(curve.Values[i])) continue;
                xs.Add(curve.FirstEpoch + i);
                ys.Add(curve.Values[i]);
            }
            var line = plot.Add.ScatterLine(xs, ys, palette.GetColor(index++));
            line.LegendText = curve.Name;
            line.LineWidth = 2;
            line.MarkerSize = 5;
        }
        if (index == 0) plot.Add.Annotation($"no {title.ToLowerInvariant()} recorded");
        else plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }
}
