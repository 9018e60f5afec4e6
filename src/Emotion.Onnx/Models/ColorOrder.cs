namespace Emotion.Onnx.Models;

/// <summary>The channel order a model expects.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (PyTorch, Emotion.Core models).</summary>
    Rgb,

    /// <summary>Blue, green, red (models trained with OpenCV/Caffe pipelines).</summary>
    Bgr,
}
