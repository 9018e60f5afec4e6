using System.Collections.Immutable;

namespace Emotion.FaceDetection.Decoding;

/// <summary>
/// The settings of MediaPipe's <c>SsdAnchorsCalculator</c> (<c>ssd_anchors_calculator.proto</c>), which lays out the
/// anchors an SSD-style detector's outputs refer to. <see cref="FaceDetectionShortRange"/> holds the values of
/// MediaPipe's <c>face_detection_short_range</c> graph (the 128x128 BlazeFace front model).
/// </summary>
public sealed record SsdAnchorOptions
{
    /// <summary>The model's input width in pixels.</summary>
    public required int InputWidth { get; init; }

    /// <summary>The model's input height in pixels.</summary>
    public required int InputHeight { get; init; }

    /// <summary>The stride of each output layer; consecutive layers with the same stride share one feature map.</summary>
    public required ImmutableArray<int> Strides { get; init; }

    /// <summary>The smallest anchor scale (of the first layer).</summary>
    public float MinScale { get; init; } = 0.1484375f;

    /// <summary>The largest anchor scale (of the last layer).</summary>
    public float MaxScale { get; init; } = 0.75f;

    /// <summary>The anchor centre's offset within its feature-map cell in x (0.5 = the cell centre).</summary>
    public float AnchorOffsetX { get; init; } = 0.5f;

    /// <summary>The anchor centre's offset within its feature-map cell in y (0.5 = the cell centre).</summary>
    public float AnchorOffsetY { get; init; } = 0.5f;

    /// <summary>The aspect ratios (width / height) of the anchors of each layer.</summary>
    public ImmutableArray<float> AspectRatios { get; init; } = [1f];

    /// <summary>
    /// When positive, each layer gets one more anchor with this aspect ratio and the scale
    /// <c>sqrt(scale(layer) * scale(layer + 1))</c> (1 for the last layer).
    /// </summary>
    public float InterpolatedScaleAspectRatio { get; init; } = 1f;

    /// <summary>Whether the lowest layer uses the three anchors (ratio 1 scale 0.1, ratio 2, ratio 0.5) of the original SSD.</summary>
    public bool ReduceBoxesInLowestLayer { get; init; }

    /// <summary>Whether every anchor has width and height 1 (the regressors are then in input units, as in BlazeFace).</summary>
    public bool FixedAnchorSize { get; init; } = true;

    /// <summary>
    /// MediaPipe's <c>face_detection_short_range</c> anchors: 128x128 input, strides 8, 16, 16, 16, offset 0.5, scales
    /// 0.1484375..0.75, aspect ratio 1 plus one interpolated anchor per layer, fixed size. This gives 2 anchors per cell on
    /// a 16x16 grid (512) followed by 6 per cell on an 8x8 grid (384): 896 anchors.
    /// </summary>
    public static SsdAnchorOptions FaceDetectionShortRange { get; } = new()
    {
        InputWidth = 128,
        InputHeight = 128,
        Strides = [8, 16, 16, 16],
    };

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public SsdAnchorOptions Validate()
    {
        if (InputWidth <= 0 || InputHeight <= 0)
            throw new ArgumentException($"The anchor input size is {InputWidth}x{InputHeight}; expected a positive width and height.", nameof(InputWidth));
        if (Strides.IsDefaultOrEmpty) throw new ArgumentException("The anchor options list no strides.", nameof(Strides));
        foreach (int s in Strides)
        {
            if (s <= 0) throw new ArgumentException($"The anchor stride {s} is not positive.", nameof(Strides));
        }
        if (!ReduceBoxesInLowestLayer && AspectRatios.IsDefaultOrEmpty && !(InterpolatedScaleAspectRatio > 0f))
            throw new ArgumentException("The anchor options give no anchor per cell: set AspectRatios or InterpolatedScaleAspectRatio.", nameof(AspectRatios));
        foreach (float r in AspectRatios.IsDefault ? [] : AspectRatios)
        {
            if (!(r > 0f) || !float.IsFinite(r)) throw new ArgumentException($"The anchor aspect ratio {r} is not a positive number.", nameof(AspectRatios));
        }
        if (!(MinScale > 0f) || !(MaxScale >= MinScale))
            throw new ArgumentException($"The anchor scales {MinScale}..{MaxScale} must be positive and ordered.", nameof(MinScale));
        return this;
    }
}
