namespace Emotion.Preprocessing.Frames;

/// <summary>An image could not be read or decoded; <see cref="Exception.Message"/> names the file or source.</summary>
public sealed class FrameDecodeException : IOException
{
    /// <summary>Creates the exception for a source.</summary>
    /// <param name="source">The file path or description of the source that failed.</param>
    /// <param name="reason">What went wrong.</param>
    /// <param name="inner">The decoder's exception, if any.</param>
    public FrameDecodeException(string source, string reason, Exception? inner = null)
        : base($"Cannot read frame image '{source}': {reason}", inner)
    {
        Source = source;
    }

    /// <summary>The file path or description of the source that failed.</summary>
    public new string Source { get; }
}
