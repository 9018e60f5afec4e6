using System.Globalization;
using Emotion.Core.Metrics;
using ScottPlot;

namespace Emotion.Visualization.Plots;

/// <summary>
/// Draws a confusion matrix as a heatmap: rows are the target classes (top to bottom), columns the predicted ones (left to right),
/// the cell colour is the row-normalised share (0 white to 1 dark blue, <see cref="CellColormap"/>) and each cell is annotated with its count and percentage.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>The cell colours: ScottPlot's Blues reversed, white for a share of 0 to dark blue for 1.</summary>
    public static IColormap CellColormap { get; } = new ScottPlot.Colormaps.Blues().Reversed();

    /// <summary>Creates the plot; render it with ScottPlot (<c>SavePng</c>, <c>GetImageBytes</c>) and dispose it.</summary>
    /// <exception cref="ArgumentException">Fewer class names than classes were given.</exception>
    public static Plot Create(ConfusionMatrix matrix, ConfusionMatrixPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        options ??= ConfusionMatrixPlotOptions.Default;
        int k = matrix.ClassCount;
        if (options.ClassNames is { } names && names.Count < k)
            throw new ArgumentException($"{names.Count} class names were given for a {k}-class confusion matrix.", nameof(options));

        var shares = matrix.RowNormalized();
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = CellColormap;
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "share of row";

        for (int r = 0; r < k; r++)
        {
            long support = matrix.Support(r);
            for (int c = 0; c < k; c++)
            {
                string text = CellText(matrix[r, c], support, options);
                if (text.Length == 0) continue;
                var label = plot.Add.Text(text, c, k - 1 - r);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = options.CellFontSize;
                label.LabelFontColor = shares[r, c] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        var positions = new double[k];
        var xLabels = new string[k];
        var yLabels = new string[k];
        for (int i = 0; i < k; i++)
        {
            positions[i] = i;
            xLabels[i] = ScottPlotInterop.ClassName(i, options.ClassNames);
            yLabels[k - 1 - i] = xLabels[i];
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, xLabels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, yLabels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.HideGrid();
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.Title(options.Title);
        plot.XLabel("predicted");
        plot.YLabel("target");
        return plot;
    }

    private static string CellText(long count, long support, ConfusionMatrixPlotOptions options)
    {
        var culture = CultureInfo.InvariantCulture;
        string countText = options.ShowCounts ? count.ToString(culture) : "";
        string shareText = options.ShowPercentages && support > 0
            ? (100.0 * count / support).ToString("0.#", culture) + "%"
            : "";
        return countText.Length > 0 && shareText.Length > 0 ? countText + "\n" + shareText : countText + shareText;
    }
}
