using Emotion.Core;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// How a decoded frame becomes a normalised <c>[3, Height, Width]</c> float buffer: optional face crop (from a
/// <see cref="FaceBox"/> given with the frame, grown by <see cref="FaceBoxMargin"/>), resize, crop to the output
/// size, then (augmentation) flip and colour jitter, then normalisation <c>(x / 255 - mean) / std</c>.
/// </summary>
/// <remarks>
/// The defaults are the evaluation path at 112 x 112 with ImageNet statistics: resize exactly to the output size, no
/// augmentation. <see cref="ForTraining"/> gives a typical augmenting configuration and <see cref="WithoutAugmentation"/>
/// its evaluation counterpart.
/// </remarks>
public sealed record FrameTransformOptions
{
    /// <summary>Output width in pixels (W).</summary>
    public int Width { get; init; } = 112;

    /// <summary>Output height in pixels (H).</summary>
    public int Height { get; init; } = 112;

    /// <summary>How the frame is resized before cropping.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Exact;

    /// <summary>For <see cref="ResizeMode.Exact"/>: the resized width (default: <see cref="Width"/>); must be at least <see cref="Width"/>.</summary>
    public int? ResizeWidth { get; init; }

    /// <summary>For <see cref="ResizeMode.Exact"/>: the resized height (default: <see cref="Height"/>); must be at least <see cref="Height"/>.</summary>
    public int? ResizeHeight { get; init; }

    /// <summary>For <see cref="ResizeMode.ShorterSide"/>: the length of the shorter side after resizing (default: the larger of <see cref="Width"/> and <see cref="Height"/>).</summary>
    public int? ResizeShorterSide { get; init; }

    /// <summary>Where the output window is cut from the resized frame.</summary>
    public CropMode Crop { get; init; } = CropMode.Center;

    /// <summary>Probability of a horizontal flip per frame (0 = never).</summary>
    public float HorizontalFlipProbability { get; init; }

    /// <summary>Colour jitter strengths (<see cref="ColorJitter.None"/> = off).</summary>
    public ColorJitter Jitter { get; init; } = ColorJitter.None;

    /// <summary>Per-channel normalisation of [0, 1] pixels (ImageNet by default).</summary>
    public Normalization Normalization { get; init; } = Normalization.ImageNet;

    /// <summary>Fraction of a face box's size added on each side before cropping to it (see <see cref="FaceBoxCrop.ClampTo"/>).</summary>
    public float FaceBoxMargin { get; init; }

    /// <summary>Floats per output frame: 3 x <see cref="Height"/> x <see cref="Width"/>.</summary>
    public int FrameLength => 3 * Width * Height;

    /// <summary>Whether any random augmentation is configured.</summary>
    public bool HasAugmentation => Crop == CropMode.Random || HorizontalFlipProbability > 0f || !Jitter.IsNone;

    /// <summary>A typical training configuration: resize the shorter side to <paramref name="size"/> x 8/7, random crop, flip with probability 0.5, mild colour jitter.</summary>
    /// <param name="size">The square output size.</param>
    /// <param name="normalization">The normalisation (ImageNet when null).</param>
    public static FrameTransformOptions ForTraining(int size, Normalization? normalization = null) => new()
    {
        Width = size,
        Height = size,
        Resize = ResizeMode.ShorterSide,
        ResizeShorterSide = (int)Math.Round(size * 8.0 / 7.0),
        Crop = CropMode.Random,
        HorizontalFlipProbability = 0.5f,
        Jitter = new ColorJitter(0.2f, 0.2f, 0.2f),
        Normalization = normalization ?? Normalization.ImageNet,
    };

    /// <summary>The same geometry without randomness: centre crop, no flip, no jitter (the evaluation path).</summary>
    public FrameTransformOptions WithoutAugmentation() => this with
    {
        Crop = CropMode.Center,
        HorizontalFlipProbability = 0f,
        Jitter = ColorJitter.None,
    };

    /// <summary>Throws when a size, probability or strength is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public FrameTransformOptions Validate()
    {
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Output width must be positive.");
        if (Height < 1) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Output height must be positive.");
        if (!Enum.IsDefined(Resize)) throw new ArgumentOutOfRangeException(nameof(Resize), Resize, "Unknown resize mode.");
        if (!Enum.IsDefined(Crop)) throw new ArgumentOutOfRangeException(nameof(Crop), Crop, "Unknown crop mode.");
        if (ResizeWidth is { } rw && rw < Width)
            throw new ArgumentOutOfRangeException(nameof(ResizeWidth), rw, $"The resized width must be at least the output width {Width}.");
        if (ResizeHeight is { } rh && rh < Height)
            throw new ArgumentOutOfRangeException(nameof(ResizeHeight), rh, $"The resized height must be at least the output height {Height}.");
        if (ResizeShorterSide is { } s && s < Math.Max(Width, Height))
            throw new ArgumentOutOfRangeException(nameof(ResizeShorterSide), s, $"The resized shorter side must be at least {Math.Max(Width, Height)} (the larger output side).");
        if (!(HorizontalFlipProbability >= 0f && HorizontalFlipProbability <= 1f))
            throw new ArgumentOutOfRangeException(nameof(HorizontalFlipProbability), HorizontalFlipProbability, "Expected a probability in [0, 1].");
        if (!(FaceBoxMargin >= 0f) || !float.IsFinite(FaceBoxMargin))
            throw new ArgumentOutOfRangeException(nameof(FaceBoxMargin), FaceBoxMargin, "Expected a non-negative finite margin.");
        ArgumentNullException.ThrowIfNull(Jitter);
        ArgumentNullException.ThrowIfNull(Normalization);
        Jitter.Validate();
        Normalization.Validate();
        return this;
    }
}
