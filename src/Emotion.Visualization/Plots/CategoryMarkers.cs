using Emotion.Visualization.Coloring;
using ScottPlot;

namespace Emotion.Visualization.Plots;

/// <summary>Adds points grouped by class, one markers plottable (and legend entry) per class, shared by the scatter plots.</summary>
internal static class CategoryMarkers
{
    /// <summary>The colour of points whose class is unknown (-1).</summary>
    public static readonly Color Unlabeled = new(170, 170, 170);

    /// <summary>Adds the points; returns the classes drawn, ascending, with -1 last when unlabeled points were drawn.</summary>
    public static List<int> Add(Plot plot, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<int> classes,
        float size, IReadOnlyList<string>? names, List<LegendItem> legend)
    {
        int maxClass = -1;
        foreach (int c in classes)
        {
            if (c < -1) throw new ArgumentOutOfRangeException(nameof(classes), c, "Expected class indices >= 0, or -1 for an unlabeled point.");
            if (c > maxClass) maxClass = c;
        }
        var counts = new int[maxClass + 2];
        foreach (int c in classes) counts[c + 1]++;

        var drawn = new List<int>();
        for (int k = 0; k <= maxClass + 1; k++)
        {
            int cls = k == maxClass + 1 ? -1 : k; // classes first, unlabeled points last
            int n = counts[cls + 1];
            if (n == 0) continue;
            var px = new double[n];
            var py = new double[n];
            int j = 0;
            for (int i = 0; i < classes.Length; i++)
            {
                if (classes[i] != cls) continue;
                px[j] = xs[i];
                py[j++] = ys[i];
            }
            var colour = cls < 0 ? Unlabeled : CategoryPalette.OfIndex(cls).ToScottPlot();
            var markers = plot.Add.Markers(px, py, MarkerShape.FilledCircle, size, colour);
            string name = cls < 0 ? "no category" : ScottPlotInterop.ClassName(cls, names);
            legend.Add(new LegendItem { LabelText = $"{name} ({n})", MarkerShape = MarkerShape.FilledCircle, MarkerColor = colour, MarkerSize = 8, LineWidth = 0 });
            drawn.Add(cls);
        }
        return drawn;
    }

    /// <summary>Throws unless every span has <paramref name="count"/> entries and every coordinate is finite.</summary>
    public static void CheckPoints(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, int count, string what)
    {
        if (xs.Length != count || ys.Length != count)
            throw new ArgumentException($"Expected {count} {what} coordinates on each axis; got {xs.Length} and {ys.Length}.");
        for (int i = 0; i < count; i++)
            if (!double.IsFinite(xs[i]) || !double.IsFinite(ys[i]))
                throw new ArgumentException($"Point {i} has a non-finite coordinate ({xs[i]}, {ys[i]}).");
    }
}
