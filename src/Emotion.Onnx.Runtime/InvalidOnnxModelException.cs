namespace Emotion.Onnx;

/// <summary>
/// An ONNX model file cannot be used: it is not a valid ONNX model (corrupted, truncated, not ONNX), or its graph does not
/// have the layout its user expects (an emotion model without Emotion.Core metadata and no descriptor, or one that does
/// not match its descriptor; a face detector that is neither BlazeFace nor UltraFace). The message names the file and
/// what was expected.
/// </summary>
public sealed class InvalidOnnxModelException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelPath">The model file.</param>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public InvalidOnnxModelException(string modelPath, string message, Exception? inner = null) : base(message, inner)
    {
        ModelPath = modelPath;
    }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }
}
