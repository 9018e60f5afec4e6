using Microsoft.ML.OnnxRuntime;

namespace Emotion.FaceDetection;

/// <summary>
/// An ONNX Runtime session of a face detector: opens the file with the options' settings and turns ONNX Runtime's
/// errors into clear ones naming the file. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one session serves concurrent callers.
/// </summary>
internal sealed class DetectorSession : IDisposable
{
    private const string GpuAdvice =
        "Replace the Microsoft.ML.OnnxRuntime package with Microsoft.ML.OnnxRuntime.Gpu (or .Gpu.Linux / .Gpu.Windows) of the same " +
        "version and install CUDA 12 and cuDNN 9, or leave CudaDeviceId unset to run on the CPU.";

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    public DetectorSession(string modelPath, FaceDetectorOptions options, string modelKind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelKind} model file '{modelPath}' does not exist.", modelPath);
        ModelPath = modelPath;
        ModelKind = modelKind;
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (options.IntraOpThreads > 0) so.IntraOpNumThreads = options.IntraOpThreads;
        if (options.CudaDeviceId is { } device)
        {
            try { so.AppendExecutionProvider_CUDA(device); }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
            {
                throw new InvalidOperationException($"The CUDA execution provider (device {device}) is not available: {e.Message}. {GpuAdvice}", e);
            }
        }
        options.ConfigureSession?.Invoke(so);
        try
        {
            session = new InferenceSession(modelPath, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{modelPath}' is not a valid ONNX model (corrupted, truncated or not ONNX): {e.Message}", e);
        }
    }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The detector's name for messages (for example <c>BlazeFace</c>).</summary>
    public string ModelKind { get; }

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Inputs => session.InputMetadata;

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Outputs => session.OutputMetadata;

    /// <summary>An error saying the model's graph does not have the layout this detector expects.</summary>
    public InvalidDataException LayoutError(string expected) => new(
        $"'{ModelPath}' does not have the {ModelKind} layout: expected {expected}; the model has inputs {Describe(Inputs)} and outputs {Describe(Outputs)}.");

    /// <summary>Runs the model on one float input tensor and returns the requested outputs (dispose them).</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(string inputName, float[] input, long[] shape, string[] outputNames)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, checked((int)(shape[0] * shape[1] * shape[2] * shape[3]))), shape);
        return session.Run(runOptions, [inputName], [value], outputNames);
    }

    /// <summary>A tensor's dimensions with symbolic (-1) sizes left as -1.</summary>
    public static string Dims(NodeMetadata m) => "[" + string.Join(",", m.Dimensions) + "]";

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => $"'{n.Key}' {Dims(n.Value)}"));

    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
    }
}
