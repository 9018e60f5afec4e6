using Emotion.Core.Mapping;

namespace Emotion.Visualization.Reports;

/// <summary>Sizes and settings of an interpretability report.</summary>
public sealed record InterpretabilityReportOptions
{
    /// <summary>The default options.</summary>
    public static InterpretabilityReportOptions Default { get; } = new();

    /// <summary>Width of each plot in pixels (default 900).</summary>
    public int PlotWidth { get; init; } = 900;

    /// <summary>Height of each plot in pixels (default 700).</summary>
    public int PlotHeight { get; init; } = 700;

    /// <summary>Size of the category ellipses in standard deviations (default 2).</summary>
    public double EllipseStandardDeviations { get; init; } = 2.0;

    /// <summary>Reference category positions (default Russell &amp; Mehrabian, 1977; null leaves them out).</summary>
    public CircumplexReference? Reference { get; init; } = CircumplexReference.RussellMehrabian1977;

    /// <summary>Checks the values and returns this instance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not in [64, 8192].</exception>
    public InterpretabilityReportOptions Validate()
    {
        if (PlotWidth is < 64 or > 8192) throw new ArgumentOutOfRangeException(nameof(PlotWidth), PlotWidth, "Expected a plot width in [64, 8192] pixels.");
        if (PlotHeight is < 64 or > 8192) throw new ArgumentOutOfRangeException(nameof(PlotHeight), PlotHeight, "Expected a plot height in [64, 8192] pixels.");
        return this;
    }
}
