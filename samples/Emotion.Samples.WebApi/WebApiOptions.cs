namespace Emotion.Samples.WebApi;

/// <summary>
/// The limits of the <c>/predict</c> endpoint, bound from the <c>WebApi</c> configuration section
/// (appsettings.json, <c>--WebApi:MaxPixels=...</c> or the environment variable <c>WebApi__MaxPixels</c>).
/// Together they bound the memory one request can take: at most <see cref="MaxRequestBytes"/> of encoded image plus
/// <see cref="MaxPixels"/> x 3 bytes of decoded RGB, and at most <see cref="ConcurrentPredictions"/> requests hold that
/// at once (the others wait in a queue of <see cref="QueueLength"/>, then get 503).
/// </summary>
public sealed class WebApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "WebApi";

    /// <summary>The largest request body in bytes (default 20 MiB); larger requests get 413.</summary>
    public long MaxRequestBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>The most pixels (width x height) an image may have (default 24 megapixels, e.g. 6000 x 4000); checked from the header before decoding.</summary>
    public long MaxPixels { get; set; } = 24_000_000;

    /// <summary>How many predictions run at once (default: the processor count).</summary>
    public int ConcurrentPredictions { get; set; } = Environment.ProcessorCount;

    /// <summary>How many requests may wait for a prediction slot (default 256); beyond that a request gets 503.</summary>
    public int QueueLength { get; set; } = 256;

    /// <summary>Checks the values; the message names the setting.</summary>
    /// <exception cref="InvalidOperationException">A value is out of range.</exception>
    public WebApiOptions Validate()
    {
        if (MaxRequestBytes <= 0) throw Bad(nameof(MaxRequestBytes), MaxRequestBytes, "a positive number of bytes");
        if (MaxPixels <= 0) throw Bad(nameof(MaxPixels), MaxPixels, "a positive number of pixels");
        if (ConcurrentPredictions <= 0) throw Bad(nameof(ConcurrentPredictions), ConcurrentPredictions, "a positive count");
        if (QueueLength < 0) throw Bad(nameof(QueueLength), QueueLength, "zero or more");
        return this;
    }

    private static InvalidOperationException Bad(string name, object value, string expected) =>
        new($"Configuration {Section}:{name} is {value}; expected {expected}.");
}
