namespace Emotion.Onnx.Models;

/// <summary>The memory layout of a model's image input.</summary>
public enum OnnxInputLayout
{
    /// <summary>Channels first: <c>[N, 3, H, W]</c> (or <c>[B, T, 3, H, W]</c> with a time axis), as PyTorch exports.</summary>
    Nchw,

    /// <summary>Channels last: <c>[N, H, W, 3]</c> (or <c>[B, T, H, W, 3]</c>), as TensorFlow/Keras exports.</summary>
    Nhwc,
}
