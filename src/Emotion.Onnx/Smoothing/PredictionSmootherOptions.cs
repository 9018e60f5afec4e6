namespace Emotion.Onnx.Smoothing;

/// <summary>Settings of <see cref="PredictionSmoother"/>.</summary>
public sealed record PredictionSmootherOptions
{
    /// <summary>How frames are combined (default moving average).</summary>
    public SmoothingMethod Method { get; init; } = SmoothingMethod.MovingAverage;

    /// <summary>The number of frames in the window (default 5; odd for <see cref="SmoothingMode.Centered"/>).</summary>
    public int Window { get; init; } = 5;

    /// <summary>The exponential smoothing factor in (0, 1]; null for <c>2 / (Window + 1)</c>.</summary>
    public float? Alpha { get; init; }

    /// <summary>Causal (default, for live streams) or centred (offline).</summary>
    public SmoothingMode Mode { get; init; } = SmoothingMode.Causal;

    /// <summary>The exponential factor in use: <see cref="Alpha"/> or <c>2 / (Window + 1)</c>.</summary>
    public float EffectiveAlpha => Alpha ?? 2f / (Window + 1);

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentException">The window is not positive, a centred window is even, α is outside (0, 1], or exponential smoothing is asked to be centred.</exception>
    public PredictionSmootherOptions Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"Unknown smoothing method {Method}.", nameof(Method));
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Unknown smoothing mode {Mode}.", nameof(Mode));
        if (Window < 1) throw new ArgumentException($"The smoothing window is {Window}; expected at least 1 frame.", nameof(Window));
        if (Mode == SmoothingMode.Centered && Window % 2 == 0)
            throw new ArgumentException($"A centred smoothing window must be odd (t - h .. t + h); got {Window}.", nameof(Window));
        if (Alpha is { } a && !(a > 0f && a <= 1f))
            throw new ArgumentException($"The exponential smoothing factor is {a}; expected a value in (0, 1].", nameof(Alpha));
        if (Method == SmoothingMethod.Exponential && Mode == SmoothingMode.Centered)
            throw new ArgumentException("Exponential smoothing is causal only; use MovingAverage or Median for centred smoothing.", nameof(Mode));
        return this;
    }
}
