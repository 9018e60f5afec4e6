namespace Emotion.Onnx;

/// <summary>
/// ONNX Runtime cannot run where it was asked to: no native ONNX Runtime package is referenced by the application, or the
/// execution provider asked for (for example CUDA) is not in the native package or its drivers/libraries are missing.
/// The message says which package or library to add.
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
