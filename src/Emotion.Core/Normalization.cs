namespace Emotion.Core;

/// <summary>Three per-channel values in RGB order.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct Rgb(float R, float G, float B)
{
    /// <summary>The value of channel 0 (R), 1 (G) or 2 (B).</summary>
    public float this[int channel] => channel switch
    {
        0 => R,
        1 => G,
        2 => B,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Expected channel 0, 1 or 2."),
    };
}

/// <summary>
/// Per-channel normalisation applied to RGB pixels scaled to [0, 1]: <c>x' = (x - Mean) / Std</c>.
/// </summary>
/// <param name="Mean">Per-channel mean subtracted from pixels in [0, 1].</param>
/// <param name="Std">Per-channel standard deviation pixels are divided by; every value must be positive.</param>
public sealed record Normalization(Rgb Mean, Rgb Std)
{
    /// <summary>ImageNet statistics (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225), for ImageNet-pretrained backbones.</summary>
    public static Normalization ImageNet { get; } = new(new Rgb(0.485f, 0.456f, 0.406f), new Rgb(0.229f, 0.224f, 0.225f));

    /// <summary>Scales [0, 1] to [-1, 1] (mean 0.5, std 0.5), as AffWildNet does.</summary>
    public static Normalization MinusOneToOne { get; } = new(new Rgb(0.5f, 0.5f, 0.5f), new Rgb(0.5f, 0.5f, 0.5f));

    /// <summary>Leaves pixels in [0, 1].</summary>
    public static Normalization ZeroToOne { get; } = new(new Rgb(0f, 0f, 0f), new Rgb(1f, 1f, 1f));

    /// <summary>Throws when a standard deviation is not positive and finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A standard deviation is zero, negative or not finite.</exception>
    public Normalization Validate()
    {
        for (int c = 0; c < 3; c++)
            if (!(Std[c] > 0f) || float.IsInfinity(Std[c]))
                throw new ArgumentOutOfRangeException(nameof(Std), Std, $"Normalization std of channel {c} must be positive and finite.");
        return this;
    }
}
