namespace Emotion.Onnx.Models;

/// <summary>The channel order a model expects.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (PyTorch, Emotion.Core models).</summary>
    Rgb,

    /// <summary>Blue, green, red (models trained with OpenCV/Caffe pipelines).</summary>
    Bgr,

    /// <summary>
    /// One grayscale channel (models trained on FER-2013's 48 x 48 gray faces, for example): the luminance
    /// <c>0.299 R + 0.587 G + 0.114 B</c> (ITU-R BT.601). The input has one channel (<c>[N, 1, H, W]</c> or <c>[N, H, W, 1]</c>);
    /// the descriptor's normalisation must have the same mean and std for the three colours.
    /// </summary>
    Gray,
}
