namespace Emotion.Onnx.Smoothing;

/// <summary>How <see cref="PredictionSmoother"/> combines neighbouring frames.</summary>
public enum SmoothingMethod
{
    /// <summary>The mean over the window (a box filter).</summary>
    MovingAverage,

    /// <summary>
    /// Exponential smoothing <c>s_t = α x_t + (1 - α) s_(t-1)</c>, <c>s_0 = x_0</c> (causal only; α defaults to
    /// <c>2 / (window + 1)</c>, the usual span relation).
    /// </summary>
    Exponential,

    /// <summary>The per-component median over the window (robust to single-frame glitches); probabilities are renormalised to sum to one.</summary>
    Median,
}
