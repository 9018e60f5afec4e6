namespace Emotion.Onnx.Smoothing;

/// <summary>Which frames a smoothed frame may look at.</summary>
public enum SmoothingMode
{
    /// <summary>
    /// Frame t uses frames <c>t - window + 1 .. t</c> only, so every prediction is available as soon as its frame is
    /// (live streams; adds a lag of about (window - 1) / 2 frames to changes of expression).
    /// </summary>
    Causal,

    /// <summary>
    /// Frame t uses frames <c>t - h .. t + h</c> with <c>h = (window - 1) / 2</c> (odd window), so changes are not delayed;
    /// in a stream each prediction is emitted h frames late. For offline files. Windows are truncated at the ends.
    /// </summary>
    Centered,
}
