namespace Emotion.Visualization.Coloring;

/// <summary>The built-in colour maps for heatmaps and continuous plot colours.</summary>
public static class ColorMaps
{
    /// <summary>
    /// Google's Turbo (Mikhailov, 2019): a rainbow map with smooth, nearly symmetric lightness (dark blue, through green and yellow,
    /// to dark red); built from the published 256-entry table (Apache License 2.0). The default for Grad-CAM heatmaps.
    /// </summary>
    public static ColorMap Turbo { get; } = ColorMap.FromTable("turbo", TurboTable.Rgb);

    /// <summary>
    /// MATLAB's Jet (dark blue, blue, cyan, yellow, red, dark red) as defined by matplotlib's piecewise-linear segments
    /// (red: 0 to 0 at 0.35, 1 at 0.66 to 0.89, 0.5 at 1; green: 0 to 0.125, 1 at 0.375 to 0.64, 0 from 0.91;
    /// blue: 0.5 at 0, 1 at 0.11 to 0.34, 0 from 0.65). Kept because Grad-CAM papers and pytorch-grad-cam use it.
    /// </summary>
    public static ColorMap Jet { get; } = ColorMap.FromFunction("jet", v => (
        PiecewiseLinear(v, [0.0, 0.35, 0.66, 0.89, 1.0], [0.0, 0.0, 1.0, 1.0, 0.5]),
        PiecewiseLinear(v, [0.0, 0.125, 0.375, 0.64, 0.91, 1.0], [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]),
        PiecewiseLinear(v, [0.0, 0.11, 0.34, 0.65, 1.0], [0.5, 1.0, 1.0, 0.0, 0.0])));

    /// <summary>Black (0) to white (1).</summary>
    public static ColorMap Grayscale { get; } = ColorMap.FromTable("grayscale", [0f, 0f, 0f, 1f, 1f, 1f]);

    /// <summary>The built-in maps by name.</summary>
    public static IReadOnlyList<ColorMap> All { get; } = [Turbo, Jet, Grayscale];

    /// <summary>Finds a built-in map by name (case-insensitive): <c>turbo</c>, <c>jet</c> or <c>grayscale</c>.</summary>
    /// <exception cref="ArgumentException">No built-in map has that name.</exception>
    public static ColorMap Parse(string name)
    {
        foreach (var map in All)
            if (string.Equals(map.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase)) return map;
        throw new ArgumentException($"'{name}' is not a colour map; expected one of {string.Join(", ", All.Select(m => m.Name))}.", nameof(name));
    }

    private static double PiecewiseLinear(double x, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        for (int i = 1; i < xs.Length; i++)
        {
            if (x <= xs[i])
                return ys[i - 1] + (x - xs[i - 1]) / (xs[i] - xs[i - 1]) * (ys[i] - ys[i - 1]);
        }
        return ys[^1];
    }
}
