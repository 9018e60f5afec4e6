using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>
/// Opens ONNX Runtime sessions for the emotion predictor and the face detectors with one set of errors: a missing file is a
/// <see cref="FileNotFoundException"/>, a file that is not a valid ONNX model an <see cref="InvalidOnnxModelException"/>, and
/// a missing native runtime or an unavailable execution provider an <see cref="ExecutionProviderUnavailableException"/>
/// saying which package to add.
/// </summary>
/// <remarks>
/// The Emotion.* packages reference Microsoft.ML.OnnxRuntime.Managed only; the application references the native package
/// it wants: Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu (CUDA and CPU). See docs/deployment.md.
/// </remarks>
public static class OnnxSessionFactory
{
    /// <summary>What to do when the CUDA provider does not load.</summary>
    internal const string GpuPackageAdvice =
        "Reference Microsoft.ML.OnnxRuntime.Gpu (or Microsoft.ML.OnnxRuntime.Gpu.Linux / Microsoft.ML.OnnxRuntime.Gpu.Windows) " +
        "instead of Microsoft.ML.OnnxRuntime in the application, of the same version as Microsoft.ML.OnnxRuntime.Managed, and " +
        "install CUDA 13 and cuDNN 9 for an NVIDIA GPU (ONNX Runtime 1.32's CUDA provider loads libcudart.so.13 and libcublas.so.13); or run on the CPU.";

    /// <summary>What to do when no native ONNX Runtime is found.</summary>
    internal const string NativePackageAdvice =
        "The Emotion.* packages reference only Microsoft.ML.OnnxRuntime.Managed: add a native ONNX Runtime package to the " +
        "application, Microsoft.ML.OnnxRuntime for the CPU or Microsoft.ML.OnnxRuntime.Gpu for CUDA, of the same version.";

    /// <summary>Opens a model file.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="settings">Provider, threads, optimisation (defaults when null).</param>
    /// <param name="modelKind">What the model is, for messages (for example <c>BlazeFace</c>; default <c>ONNX</c>).</param>
    /// <returns>The session; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not a valid ONNX model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">No native ONNX Runtime is found, or CUDA was asked for and
    /// its provider does not load.</exception>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    public static InferenceSession Open(string modelPath, OnnxSessionSettings? settings = null, string modelKind = "ONNX")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelKind);
        settings = (settings ?? OnnxSessionSettings.Default).Validate();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelKind} model file '{modelPath}' does not exist.", modelPath);
        return Create(options => new InferenceSession(modelPath, options), settings, $"'{modelPath}'",
            e => new InvalidOnnxModelException(modelPath,
                $"'{modelPath}' is not a valid {modelKind} model (the file is corrupted, truncated or not ONNX): {e.Message}", e));
    }

    /// <summary>Opens a model held in memory (for example one exported from a TorchSharp checkpoint without a file).</summary>
    /// <param name="model">The serialised ONNX model (an ONNX <c>ModelProto</c>).</param>
    /// <param name="modelName">How to name the model in messages (for example <c>in-memory export of checkpoint 'run1'</c>).</param>
    /// <param name="settings">Provider, threads, optimisation (defaults when null).</param>
    /// <param name="modelKind">What the model is, for messages (default <c>ONNX</c>).</param>
    /// <returns>The session; the caller disposes it.</returns>
    /// <exception cref="InvalidOnnxModelException">The bytes are not a valid ONNX model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">No native ONNX Runtime is found, or CUDA was asked for and
    /// its provider does not load.</exception>
    /// <exception cref="ArgumentException">The bytes are empty or the settings are invalid.</exception>
    public static InferenceSession Open(byte[] model, string modelName, OnnxSessionSettings? settings = null, string modelKind = "ONNX")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelKind);
        if (model.Length == 0) throw new ArgumentException($"{modelKind} model {modelName} is empty (0 bytes).", nameof(model));
        settings = (settings ?? OnnxSessionSettings.Default).Validate();
        return Create(options => new InferenceSession(model, options), settings, modelName,
            e => new InvalidOnnxModelException(modelName, $"{modelName} is not a valid {modelKind} model ({model.Length} bytes): {e.Message}", e));
    }

    /// <summary>Creates a session with <paramref name="create"/> and translates ONNX Runtime's failures: CUDA that does not
    /// load, a model it rejects (<paramref name="invalid"/>), a missing native library (naming <paramref name="what"/>).</summary>
    private static InferenceSession Create(Func<SessionOptions, InferenceSession> create, OnnxSessionSettings settings, string what,
        Func<OnnxRuntimeException, InvalidOnnxModelException> invalid)
    {
        try
        {
            using var options = CreateOptions(settings);
            try
            {
                return create(options);
            }
            catch (OnnxRuntimeException e) when (settings.ExecutionProvider == OnnxExecutionProvider.Cuda && LooksLikeProviderFailure(e))
            {
                throw CudaUnavailable(settings.CudaDeviceId, e);
            }
            catch (OnnxRuntimeException e)
            {
                throw invalid(e);
            }
        }
        catch (Exception e) when (IsMissingNativeRuntime(e))
        {
            throw new ExecutionProviderUnavailableException(settings.ExecutionProvider,
                $"ONNX Runtime's native library could not be loaded to open {what}: {FirstLine(Innermost(e).Message)}. {NativePackageAdvice}", e);
        }
    }

    // Session options are copied into the session when it is created, so they are disposed right after.
    private static SessionOptions CreateOptions(OnnxSessionSettings settings)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = settings.GraphOptimizationLevel,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = settings.LogSeverityLevel,
        };
        try
        {
            if (settings.IntraOpThreads > 0) so.IntraOpNumThreads = settings.IntraOpThreads;
            if (settings.InterOpThreads > 0) so.InterOpNumThreads = settings.InterOpThreads;
            if (settings.ExecutionProvider == OnnxExecutionProvider.Cuda) AppendCuda(so, settings.CudaDeviceId);
            settings.ConfigureSession?.Invoke(so);
            return so;
        }
        catch
        {
            so.Dispose();
            throw;
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
            throw CudaUnavailable(deviceId, e);
        }
    }

    private static bool LooksLikeProviderFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("providers", StringComparison.OrdinalIgnoreCase);

    // Without a native package the first ONNX Runtime call fails in a type initialiser (NativeMethods) with DllNotFoundException inside.
    private static bool IsMissingNativeRuntime(Exception e) =>
        e is not ExecutionProviderUnavailableException && Innermost(e) is DllNotFoundException or EntryPointNotFoundException
        && (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd(':', '.');

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    private static ExecutionProviderUnavailableException CudaUnavailable(int deviceId, Exception e) => new(
        OnnxExecutionProvider.Cuda,
        $"The CUDA execution provider (device {deviceId}) is not available: {e.Message}. {GpuPackageAdvice}", e);
}
