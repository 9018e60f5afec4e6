namespace Emotion.Onnx;

/// <summary>
/// The execution provider asked for (for example CUDA) is not available: its native package is not referenced or its
/// drivers/libraries are missing. The message says which package to add.
/// </summary>
public sealed class ExecutionProviderUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider that was asked for.</param>
    /// <param name="message">What is missing and how to get it.</param>
    /// <param name="inner">ONNX Runtime's error.</param>
    public ExecutionProviderUnavailableException(OnnxExecutionProvider provider, string message, Exception? inner = null) : base(message, inner)
    {
        Provider = provider;
    }

    /// <summary>The provider that was asked for.</summary>
    public OnnxExecutionProvider Provider { get; }
}
