using Emotion.Core;
using Emotion.Visualization.Coloring;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Plots;

/// <summary>Conversions between this library's colours and ScottPlot's, shared by the plots.</summary>
internal static class ScottPlotInterop
{
    public static ScottPlot.Color ToScottPlot(this Rgb24 colour, byte alpha = 255) => new(colour.R, colour.G, colour.B, alpha);

    public static ScottPlot.IColormap ToScottPlot(this ColorMap map) => new Colormap(map);

    /// <summary>The display name of a class index: the category name for emotion categories, "class N" beyond.</summary>
    public static string ClassName(int classIndex, IReadOnlyList<string>? names) =>
        names is not null && classIndex < names.Count ? names[classIndex]
        : Enum.IsDefined((EmotionCategory)classIndex) ? ((EmotionCategory)classIndex).ToName()
        : $"class {classIndex}";

    private sealed class Colormap(ColorMap map) : ScottPlot.IColormap
    {
        public string Name => map.Name;

        public ScottPlot.Color GetColor(double position) =>
            map.Map(double.IsNaN(position) ? 0f : (float)Math.Clamp(position, 0.0, 1.0)).ToScottPlot();
    }

    /// <summary>A colour-bar source for markers coloured by value (ScottPlot's colour bar needs an <see cref="ScottPlot.IHasColorAxis"/>).</summary>
    public sealed class ColorAxis(ColorMap map, double min, double max) : ScottPlot.IHasColorAxis
    {
        public ScottPlot.IColormap Colormap { get; set; } = map.ToScottPlot();

        public ScottPlot.Range GetRange() => new(min, max);
    }
}
