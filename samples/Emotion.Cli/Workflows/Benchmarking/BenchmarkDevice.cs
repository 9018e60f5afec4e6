namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>Where a benchmarked backend runs.</summary>
public enum BenchmarkDevice
{
    /// <summary>The CPU (always available).</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA (TorchSharp's CUDA package, ONNX Runtime's CUDA provider).</summary>
    Cuda,
}
