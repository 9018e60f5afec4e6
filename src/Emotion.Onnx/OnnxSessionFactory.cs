using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>Creates ONNX Runtime sessions with the predictor's options and turns ONNX Runtime's errors into clear ones.</summary>
internal static class OnnxSessionFactory
{
    internal const string GpuPackageAdvice =
        "Replace the Microsoft.ML.OnnxRuntime package with Microsoft.ML.OnnxRuntime.Gpu (or Microsoft.ML.OnnxRuntime.Gpu.Linux / " +
        "Microsoft.ML.OnnxRuntime.Gpu.Windows) of the same version, and install CUDA 12 and cuDNN 9 for an NVIDIA GPU; " +
        "or use OnnxExecutionProvider.Cpu.";

    /// <summary>Builds the session options (the caller owns them).</summary>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for and is not available.</exception>
    public static SessionOptions CreateOptions(EmotionPredictorOptions options)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        try
        {
            if (options.IntraOpThreads > 0) so.IntraOpNumThreads = options.IntraOpThreads;
            if (options.InterOpThreads > 0) so.InterOpNumThreads = options.InterOpThreads;
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda) AppendCuda(so, options.CudaDeviceId);
            return so;
        }
        catch
        {
            so.Dispose();
            throw;
        }
    }

    /// <summary>Opens a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not a valid ONNX model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The provider's libraries failed to load.</exception>
    public static InferenceSession Open(string path, SessionOptions sessionOptions, EmotionPredictorOptions options)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e) when (options.ExecutionProvider == OnnxExecutionProvider.Cuda && LooksLikeProviderFailure(e))
        {
            throw Unavailable(options.CudaDeviceId, e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOnnxModelException(path,
                $"'{path}' is not a valid ONNX model (the file is corrupted, truncated or not ONNX): {e.Message}", e);
        }
    }

    private static void AppendCuda(SessionOptions so, int deviceId)
    {
        try
        {
            so.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
        {
            throw Unavailable(deviceId, e);
        }
    }

    private static bool LooksLikeProviderFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("providers", StringComparison.OrdinalIgnoreCase);

    private static ExecutionProviderUnavailableException Unavailable(int deviceId, Exception e) => new(
        OnnxExecutionProvider.Cuda,
        $"The CUDA execution provider (device {deviceId}) is not available: {e.Message}. {GpuPackageAdvice}", e);
}
