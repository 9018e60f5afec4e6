using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>
/// How <see cref="OnnxSessionFactory"/> opens an ONNX Runtime session. The emotion predictor and the face detectors map
/// their own options onto these; the defaults run on the CPU with full graph optimisation.
/// </summary>
public sealed record OnnxSessionSettings
{
    /// <summary>The default settings.</summary>
    public static OnnxSessionSettings Default { get; } = new();

    /// <summary>CPU (default) or CUDA.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The GPU used by the CUDA provider (default 0).</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Threads used inside one operator (0 = ONNX Runtime's default, one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads used to run independent operators in parallel (0 = ONNX Runtime's default).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>ONNX Runtime's graph optimisation level (default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>).</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The least severe ONNX Runtime log messages printed (default warnings).</summary>
    public OrtLoggingLevel LogSeverityLevel { get; init; } = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;

    /// <summary>Further session settings applied last (for example another execution provider); optional.</summary>
    public Action<SessionOptions>? ConfigureSession { get; init; }

    /// <summary>Checks the values and returns these settings.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public OnnxSessionSettings Validate()
    {
        if (!Enum.IsDefined(ExecutionProvider)) throw new ArgumentException($"Unknown execution provider {ExecutionProvider}.", nameof(ExecutionProvider));
        if (CudaDeviceId < 0) throw new ArgumentException($"CudaDeviceId is {CudaDeviceId}; expected 0 or more.", nameof(CudaDeviceId));
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads is {IntraOpThreads}; expected 0 (default) or more.", nameof(IntraOpThreads));
        if (InterOpThreads < 0) throw new ArgumentException($"InterOpThreads is {InterOpThreads}; expected 0 (default) or more.", nameof(InterOpThreads));
        if (!Enum.IsDefined(LogSeverityLevel)) throw new ArgumentException($"Unknown log severity level {LogSeverityLevel}.", nameof(LogSeverityLevel));
        return this;
    }
}
