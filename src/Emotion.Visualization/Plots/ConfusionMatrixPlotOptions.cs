namespace Emotion.Visualization.Plots;

/// <summary>How a confusion matrix is drawn (<see cref="ConfusionMatrixPlot"/>).</summary>
public sealed record ConfusionMatrixPlotOptions
{
    /// <summary>The default options.</summary>
    public static ConfusionMatrixPlotOptions Default { get; } = new();

    /// <summary>The title (default "Confusion matrix").</summary>
    public string Title { get; init; } = "Confusion matrix";

    /// <summary>Class names in index order; null uses the emotion category names.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Whether each cell shows its count (default true).</summary>
    public bool ShowCounts { get; init; } = true;

    /// <summary>Whether each cell shows its share of the row, the class's recall on the diagonal (default true).</summary>
    public bool ShowPercentages { get; init; } = true;

    /// <summary>Font size of the cell annotations (default 11).</summary>
    public float CellFontSize { get; init; } = 11f;
}
