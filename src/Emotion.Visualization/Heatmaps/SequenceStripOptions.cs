using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Heatmaps;

/// <summary>Layout of a sequence strip (<see cref="SequenceStrip"/>).</summary>
public sealed record SequenceStripOptions
{
    /// <summary>The default options: originals above overlays, 2-pixel white gaps, default overlay options.</summary>
    public static SequenceStripOptions Default { get; } = new();

    /// <summary>How each map is coloured and blended (default <see cref="HeatmapOverlayOptions.Default"/>).</summary>
    public HeatmapOverlayOptions Overlay { get; init; } = HeatmapOverlayOptions.Default;

    /// <summary>Whether a row of the original frames is drawn above the row of overlays (default true).</summary>
    public bool IncludeOriginals { get; init; } = true;

    /// <summary>Gap in pixels between tiles and around the strip's border (default 2).</summary>
    public int Spacing { get; init; } = 2;

    /// <summary>Colour of the gaps (default white).</summary>
    public Rgb24 Background { get; init; } = new(255, 255, 255);

    /// <summary>Checks the values and returns this instance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The spacing is negative.</exception>
    public SequenceStripOptions Validate()
    {
        if (Spacing < 0) throw new ArgumentOutOfRangeException(nameof(Spacing), Spacing, "Expected a non-negative spacing in pixels.");
        ArgumentNullException.ThrowIfNull(Overlay, nameof(Overlay));
        Overlay.Validate();
        return this;
    }
}
