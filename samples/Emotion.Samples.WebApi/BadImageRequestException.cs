namespace Emotion.Samples.WebApi;

/// <summary>A request the service refuses: the status code (400, 413) and a message for the client.</summary>
/// <param name="statusCode">The HTTP status to answer with.</param>
/// <param name="message">What was wrong and what is expected.</param>
public sealed class BadImageRequestException(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int StatusCode { get; } = statusCode;
}
