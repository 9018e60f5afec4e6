using Emotion.Core;
using Emotion.Core.Mapping;

namespace Emotion.Visualization.Plots;

/// <summary>What the valence-arousal plot shows (<see cref="ValenceArousalPlot"/>).</summary>
public sealed record ValenceArousalPlotOptions
{
    /// <summary>The default options.</summary>
    public static ValenceArousalPlotOptions Default { get; } = new();

    /// <summary>The title (default "Valence-arousal plane").</summary>
    public string Title { get; init; } = "Valence-arousal plane";

    /// <summary>Number of classes of the category indices (default 7, the basic categories).</summary>
    public int ClassCount { get; init; } = EmotionCategories.BasicCount;

    /// <summary>Class names in index order; null uses the emotion category names.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Whether every frame is drawn as a point coloured by its category (default true).</summary>
    public bool ShowPoints { get; init; } = true;

    /// <summary>Diameter of the frame points in pixels (default 4).</summary>
    public float PointSize { get; init; } = 4f;

    /// <summary>Whether each category's centroid (mean VA) is drawn (default true).</summary>
    public bool ShowCentroids { get; init; } = true;

    /// <summary>
    /// Size of each category's covariance ellipse in standard deviations k (default 2; 0 hides the ellipses). The ellipse of a 2-D
    /// Gaussian at k standard deviations holds <c>1 - exp(-k^2 / 2)</c> of its mass (86.5% for k = 2); see
    /// <see cref="ConfidenceEllipse.StandardDeviationsFor"/> to choose k for a confidence level.
    /// </summary>
    public double EllipseStandardDeviations { get; init; } = 2.0;

    /// <summary>Reference category positions drawn for comparison (default Russell &amp; Mehrabian, 1977; null hides them).</summary>
    public CircumplexReference? Reference { get; init; } = CircumplexReference.RussellMehrabian1977;

    /// <summary>Checks the values and returns this instance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public ValenceArousalPlotOptions Validate()
    {
        if (ClassCount <= 0) throw new ArgumentOutOfRangeException(nameof(ClassCount), ClassCount, "Expected at least one class.");
        if (!(PointSize > 0f)) throw new ArgumentOutOfRangeException(nameof(PointSize), PointSize, "Expected a positive point size.");
        if (!(EllipseStandardDeviations >= 0.0) || double.IsInfinity(EllipseStandardDeviations))
            throw new ArgumentOutOfRangeException(nameof(EllipseStandardDeviations), EllipseStandardDeviations, "Expected a finite number of standard deviations >= 0 (0 hides the ellipses).");
        return this;
    }
}
