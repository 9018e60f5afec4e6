namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// Colour jitter strengths, as in torchvision's <c>ColorJitter</c>: each factor is drawn uniformly from
/// <c>[max(0, 1 - s), 1 + s]</c> per frame and applied in the fixed order brightness, contrast, saturation,
/// clamping to [0, 1] after each step. Brightness multiplies the pixel; contrast blends with the mean grey level of the
/// (cropped, brightness-adjusted) frame; saturation blends each pixel with its own grey level
/// (grey = 0.2989 R + 0.587 G + 0.114 B).
/// </summary>
/// <param name="Brightness">Brightness strength (0 = off).</param>
/// <param name="Contrast">Contrast strength (0 = off).</param>
/// <param name="Saturation">Saturation strength (0 = off).</param>
public sealed record ColorJitter(float Brightness = 0f, float Contrast = 0f, float Saturation = 0f)
{
    /// <summary>No jitter.</summary>
    public static ColorJitter None { get; } = new();

    /// <summary>Whether every strength is zero.</summary>
    public bool IsNone => Brightness == 0f && Contrast == 0f && Saturation == 0f;

    /// <summary>Throws when a strength is negative or not finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A strength is negative or not finite.</exception>
    public ColorJitter Validate()
    {
        Check(Brightness, nameof(Brightness));
        Check(Contrast, nameof(Contrast));
        Check(Saturation, nameof(Saturation));
        return this;
    }

    private static void Check(float value, string name)
    {
        if (!(value >= 0f) || !float.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"Colour jitter {name} must be a non-negative finite number.");
    }
}
