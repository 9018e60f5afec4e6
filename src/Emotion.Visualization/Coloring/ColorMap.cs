using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Visualization.Coloring;

/// <summary>
/// A colour map: a 256-entry lookup table that turns a value in [0, 1] into an RGB colour. Value <c>v</c> maps to entry
/// <c>round(255 v)</c>, so entry <c>i</c> is the colour of <c>v = i / 255</c> (as matplotlib's 256-colour maps sample it).
/// Values below 0 or above 1 are clamped; NaN is rejected.
/// </summary>
public sealed class ColorMap
{
    /// <summary>Number of entries in every colour map's lookup table.</summary>
    public const int Size = 256;

    private readonly Rgb24[] _table;

    private ColorMap(string name, Rgb24[] table)
    {
        Name = name;
        _table = table;
    }

    /// <summary>The colour map's name (for example <c>turbo</c>).</summary>
    public string Name { get; }

    /// <summary>The colour of entry <paramref name="index"/> in [0, 255].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, 255].</exception>
    public Rgb24 this[int index] => (uint)index < Size
        ? _table[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a colour map entry in [0, {Size - 1}].");

    /// <summary>Creates a colour map from a table of RGB triplets in [0, 1] (row-major, at least two entries), resampled linearly to 256 entries.</summary>
    /// <param name="name">The map's name.</param>
    /// <param name="rgb">Triplets r0, g0, b0, r1, g1, b1, ... spaced evenly over [0, 1].</param>
    /// <exception cref="ArgumentException">The table is not a whole number of at least two triplets, or a value is outside [0, 1].</exception>
    public static ColorMap FromTable(string name, ReadOnlySpan<float> rgb)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (rgb.Length % 3 != 0 || rgb.Length < 6)
            throw new ArgumentException($"A colour table needs at least two RGB triplets; got {rgb.Length} values.", nameof(rgb));
        foreach (float v in rgb)
            if (!(v >= 0f && v <= 1f)) throw new ArgumentException($"Colour table value {v} is outside [0, 1].", nameof(rgb));
        int entries = rgb.Length / 3;
        var table = new Rgb24[Size];
        for (int i = 0; i < Size; i++)
        {
            double position = (double)i * (entries - 1) / (Size - 1);
            int lo = Math.Min((int)position, entries - 2);
            double t = position - lo;
            table[i] = new Rgb24(
                ToByte(rgb[3 * lo] + t * (rgb[3 * lo + 3] - rgb[3 * lo])),
                ToByte(rgb[3 * lo + 1] + t * (rgb[3 * lo + 4] - rgb[3 * lo + 1])),
                ToByte(rgb[3 * lo + 2] + t * (rgb[3 * lo + 5] - rgb[3 * lo + 2])));
        }
        return new ColorMap(name, table);
    }

    /// <summary>Creates a colour map by sampling a function of <c>v</c> in [0, 1] (returning r, g, b in [0, 1]) at <c>v = i / 255</c>.</summary>
    /// <exception cref="ArgumentException">The function returns a value outside [0, 1].</exception>
    public static ColorMap FromFunction(string name, Func<double, (double R, double G, double B)> function)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(function);
        var rgb = new float[3 * Size];
        for (int i = 0; i < Size; i++)
        {
            var (r, g, b) = function((double)i / (Size - 1));
            rgb[3 * i] = (float)r;
            rgb[3 * i + 1] = (float)g;
            rgb[3 * i + 2] = (float)b;
        }
        return FromTable(name, rgb);
    }

    /// <summary>The colour of <paramref name="value"/> (clamped to [0, 1]).</summary>
    /// <exception cref="ArgumentException">The value is NaN.</exception>
    public Rgb24 Map(float value)
    {
        if (float.IsNaN(value)) throw new ArgumentException("Cannot colour-map NaN.", nameof(value));
        return _table[IndexOf(value)];
    }

    /// <summary>Colours every value of <paramref name="values"/> (clamped to [0, 1]) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or a value is NaN (the message gives its index).</exception>
    public void Map(ReadOnlySpan<float> values, Span<Rgb24> destination)
    {
        if (values.Length != destination.Length)
            throw new ArgumentException($"Destination has {destination.Length} pixels; expected {values.Length}.", nameof(destination));
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) throw new ArgumentException($"Value {i} is NaN; cannot colour-map it.", nameof(values));
            destination[i] = _table[IndexOf(v)];
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static int IndexOf(float value) =>
        value <= 0f ? 0 : value >= 1f ? Size - 1 : (int)(value * (Size - 1) + 0.5f);

    private static byte ToByte(double unit) => (byte)Math.Clamp(Math.Round(unit * 255.0), 0, 255);
}
