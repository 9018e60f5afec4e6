using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>
/// Whether a backend can run on a device in this process, and if not, why (a sentence naming the package to add). The CPU is
/// always available; CUDA needs TorchSharp's CUDA package (<c>torch.cuda.is_available()</c>) or ONNX Runtime's GPU package
/// (the CUDA execution provider listed by <see cref="OrtEnv.GetAvailableProviders"/>; whether its libraries then load is only
/// known when a session is created, which reports <c>Emotion.Onnx.ExecutionProviderUnavailableException</c>).
/// </summary>
public static class BackendAvailability
{
    private const string OrtCudaProvider = "CUDAExecutionProvider";

    /// <summary>Null when TorchSharp can run on <paramref name="device"/>; otherwise the reason it cannot.</summary>
    public static string? TorchSharpUnavailableReason(BenchmarkDevice device) => device switch
    {
        BenchmarkDevice.Cpu => null,
        BenchmarkDevice.Cuda when torch.cuda.is_available() => null,
        BenchmarkDevice.Cuda => "torch.cuda.is_available() is false (this build references TorchSharp-cpu; reference TorchSharp-cuda-linux " +
                                "or TorchSharp-cuda-windows instead and install an NVIDIA driver)",
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "Expected Cpu or Cuda."),
    };

    /// <summary>Null when ONNX Runtime lists a provider for <paramref name="device"/>; otherwise the reason it cannot run there.</summary>
    public static string? OnnxRuntimeUnavailableReason(BenchmarkDevice device)
    {
        if (device == BenchmarkDevice.Cpu) return null;
        if (device != BenchmarkDevice.Cuda) throw new ArgumentOutOfRangeException(nameof(device), device, "Expected Cpu or Cuda.");
        var providers = OrtEnv.Instance().GetAvailableProviders();
        return providers.Contains(OrtCudaProvider)
            ? null
            : $"ONNX Runtime here has {string.Join(", ", providers)} only (the CUDA provider comes with Microsoft.ML.OnnxRuntime.Gpu " +
              "instead of Microsoft.ML.OnnxRuntime, plus CUDA 13 and cuDNN 9)";
    }

    /// <summary>The reason <paramref name="backend"/> (one of <see cref="BackendNames"/>) cannot run on <paramref name="device"/>, or null.</summary>
    public static string? UnavailableReason(string backend, BenchmarkDevice device) => backend switch
    {
        BackendNames.TorchSharp => TorchSharpUnavailableReason(device),
        BackendNames.OnnxRuntime => OnnxRuntimeUnavailableReason(device),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, $"Expected {BackendNames.TorchSharp} or {BackendNames.OnnxRuntime}."),
    };
}
