namespace Emotion.Onnx;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU execution provider (the default; ships with Microsoft.ML.OnnxRuntime).</summary>
    Cpu,

    /// <summary>
    /// The CUDA execution provider on an NVIDIA GPU. Needs the GPU native package (Microsoft.ML.OnnxRuntime.Gpu, or
    /// Microsoft.ML.OnnxRuntime.Gpu.Linux / .Windows) in place of Microsoft.ML.OnnxRuntime, plus CUDA 12 and cuDNN 9.
    /// </summary>
    Cuda,
}
