namespace Emotion.Onnx;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU execution provider (the default; in every native ONNX Runtime package).</summary>
    Cpu,

    /// <summary>
    /// The CUDA execution provider on an NVIDIA GPU. Needs the application to reference the GPU native package
    /// (Microsoft.ML.OnnxRuntime.Gpu, or Microsoft.ML.OnnxRuntime.Gpu.Linux / .Windows) rather than Microsoft.ML.OnnxRuntime,
    /// plus CUDA 13 and cuDNN 9 (ONNX Runtime 1.32).
    /// </summary>
    Cuda,
}
