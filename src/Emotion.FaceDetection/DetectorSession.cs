using System.Buffers;
using Emotion.Onnx;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection;

/// <summary>
/// An ONNX Runtime session of a face detector, opened by <see cref="OnnxSessionFactory"/> (the predictor's factory, with
/// its errors) with the options' settings. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe, so one session serves concurrent callers.
/// </summary>
internal sealed class DetectorSession : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions;
    private int disposed;

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not a valid ONNX model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">No native ONNX Runtime, or CUDA asked for and not available.</exception>
    public DetectorSession(string modelPath, FaceDetectorOptions options, string modelKind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ModelPath = modelPath;
        ModelKind = modelKind;
        session = OnnxSessionFactory.Open(modelPath, SessionSettings(options), modelKind);
        runOptions = new RunOptions();
    }

    /// <summary>The detector options as session settings; ONNX Runtime's warnings about the detector graphs are not printed.</summary>
    internal static OnnxSessionSettings SessionSettings(FaceDetectorOptions options) => new()
    {
        ExecutionProvider = options.CudaDeviceId is null ? OnnxExecutionProvider.Cpu : OnnxExecutionProvider.Cuda,
        CudaDeviceId = options.CudaDeviceId ?? 0,
        IntraOpThreads = options.IntraOpThreads,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        ConfigureSession = options.ConfigureSession,
    };

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The detector's name for messages (for example <c>BlazeFace</c>).</summary>
    public string ModelKind { get; }

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Inputs => session.InputMetadata;

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyDictionary<string, NodeMetadata> Outputs => session.OutputMetadata;

    /// <summary>An error saying the model's graph does not have the layout this detector expects.</summary>
    public InvalidOnnxModelException LayoutError(string expected) => new(ModelPath,
        $"'{ModelPath}' does not have the {ModelKind} layout: expected {expected}; the model has inputs {Describe(Inputs)} and outputs {Describe(Outputs)}.");

    /// <summary>
    /// The pipeline every detector shares: writes <paramref name="image"/> into the model's input (resized, letterboxed when
    /// <paramref name="keepAspectRatio"/>, <c>pixel * Scale + Offset</c>), runs the model, lets <paramref name="decode"/> turn
    /// the outputs into candidates in normalised input coordinates, lets <paramref name="suppress"/> remove overlaps, and
    /// maps the kept faces back to the image's pixels.
    /// </summary>
    /// <param name="owner">The detector, named when it has been disposed.</param>
    /// <param name="image">The image to search.</param>
    /// <param name="input">The model's input.</param>
    /// <param name="keepAspectRatio">Whether to pad the image to the input's aspect ratio instead of stretching it.</param>
    /// <param name="outputNames">The outputs <paramref name="decode"/> reads, in the order it reads them.</param>
    /// <param name="decode">Adds the candidates found in the outputs to the list.</param>
    /// <param name="suppress">Non-maximum suppression of the candidates.</param>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public IReadOnlyList<DetectedFace> Detect(object owner, Image<Rgb24> image, DetectorInput input, bool keepAspectRatio, string[] outputNames,
        Action<IDisposableReadOnlyCollection<OrtValue>, List<DetectedFace>> decode, Func<List<DetectedFace>, IReadOnlyList<DetectedFace>> suppress)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, owner);
        if (image.Width <= 0 || image.Height <= 0) throw new ArgumentException("The image is empty.", nameof(image));
        float[] buffer = ArrayPool<float>.Shared.Rent(input.Length);
        try
        {
            var mapping = ImageTensorWriter.Write(image, buffer, input.Width, input.Height, keepAspectRatio, input.ChannelsLast, input.Scale, input.Offset);
            var candidates = new List<DetectedFace>();
            using (var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, input.Length), input.Shape))
            using (var outputs = session.Run(runOptions, [input.Name], [value], outputNames))
                decode(outputs, candidates);
            var kept = suppress(candidates);
            var result = new DetectedFace[kept.Count];
            for (int i = 0; i < result.Length; i++) result[i] = mapping.ToImage(kept[i]);
            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>A tensor's dimensions with symbolic (-1) sizes left as -1.</summary>
    public static string Dims(NodeMetadata m) => "[" + string.Join(",", m.Dimensions) + "]";

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => $"'{n.Key}' {Dims(n.Value)}"));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        session.Dispose();
        runOptions.Dispose();
    }
}
