using Emotion.Onnx.Models;
using Emotion.Onnx.Smoothing;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>Settings of an <see cref="EmotionPredictor"/>. The defaults run on the CPU with full graph optimisation.</summary>
public sealed record EmotionPredictorOptions
{
    /// <summary>The default options.</summary>
    public static EmotionPredictorOptions Default { get; } = new();

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

    /// <summary>The most frames sent to the model in one run (batch x time; default 32).</summary>
    public int MaxFramesPerRun { get; init; } = 32;

    /// <summary>
    /// The most frames of one shared run of an <see cref="EmotionStreamGroup"/> (the faces of a video): full chunks of several
    /// streams share a run while together they hold at most this many frames (and at most <see cref="MaxFramesPerRun"/>); a
    /// chunk longer than this runs on its own. Default 12. Sharing a run saves ONNX Runtime's per-call cost, but the
    /// activations of many frames leave the CPU's caches: on a quiet 2-core AVX-512 machine, ResNet-18 + GRU on three faces
    /// ran 8 % faster with chunks of 4 frames in one run (12 frames) and 10 % slower with chunks of 16 (48 frames) than one run
    /// per face (docs/benchmarks.md, "Batched faces").
    /// </summary>
    public int MaxFramesPerSharedRun { get; init; } = 12;

    /// <summary>Frames per chunk of a stream (<see cref="EmotionPredictor.OpenStream"/>; default 16). Smaller chunks lower latency, larger ones raise throughput.</summary>
    public int StreamChunkSize { get; init; } = 16;

    /// <summary>
    /// What happens to a frame (given without a face box) whose size differs from the model's input:
    /// <list type="bullet">
    /// <item><description><c>null</c> (default, automatic): a frame with the model's aspect ratio (within 1 %) is resized
    /// (bilinear) to the input size, which scales the face crop without distorting it, the resize the library's own
    /// Torch inference applies; a frame of another shape is an error, since stretching it would distort the face
    /// (crop it to the face with a <see cref="Emotion.Core.Faces.FaceBox"/>, or set <c>true</c>).</description></item>
    /// <item><description><c>true</c>: every frame is resized to the input size, stretched if its aspect ratio differs.</description></item>
    /// <item><description><c>false</c>: frames must already have the input size; any other size is an error.</description></item>
    /// </list>
    /// <see cref="EmotionPredictor.CheckFrameSize"/> tells which applies to a frame size.
    /// </summary>
    public bool? ResizeFrames { get; init; }

    /// <summary>Temporal smoothing applied to sequences and streams, or null (default) for none.</summary>
    public PredictionSmootherOptions? Smoothing { get; init; }

    /// <summary>
    /// How to feed a model and read its outputs. Null (default) reads it from the Emotion.Core metadata of the model;
    /// set it to run a third-party model (or to override the metadata).
    /// </summary>
    public OnnxModelDescriptor? Descriptor { get; init; }

    /// <summary>The ONNX Runtime session settings these options ask for.</summary>
    internal OnnxSessionSettings SessionSettings() => new()
    {
        ExecutionProvider = ExecutionProvider,
        CudaDeviceId = CudaDeviceId,
        IntraOpThreads = IntraOpThreads,
        InterOpThreads = InterOpThreads,
        GraphOptimizationLevel = GraphOptimizationLevel,
    };

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it, and <see cref="ArgumentException.ParamName"/> is
    /// the property (<c>Smoothing</c> or <c>Descriptor</c> for their values, with their own exception as the inner one).</exception>
    public EmotionPredictorOptions Validate()
    {
        if (!Enum.IsDefined(ExecutionProvider)) throw new ArgumentException($"Unknown execution provider {ExecutionProvider}.", nameof(ExecutionProvider));
        if (CudaDeviceId < 0) throw new ArgumentException($"CudaDeviceId is {CudaDeviceId}; expected 0 or more.", nameof(CudaDeviceId));
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads is {IntraOpThreads}; expected 0 (default) or more.", nameof(IntraOpThreads));
        if (InterOpThreads < 0) throw new ArgumentException($"InterOpThreads is {InterOpThreads}; expected 0 (default) or more.", nameof(InterOpThreads));
        if (MaxFramesPerRun < 1) throw new ArgumentException($"MaxFramesPerRun is {MaxFramesPerRun}; expected at least 1.", nameof(MaxFramesPerRun));
        if (MaxFramesPerSharedRun < 1) throw new ArgumentException($"MaxFramesPerSharedRun is {MaxFramesPerSharedRun}; expected at least 1.", nameof(MaxFramesPerSharedRun));
        if (StreamChunkSize < 1) throw new ArgumentException($"StreamChunkSize is {StreamChunkSize}; expected at least 1.", nameof(StreamChunkSize));
        try
        {
            Smoothing?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Invalid smoothing settings: {e.Message}", nameof(Smoothing), e);
        }
        try
        {
            Descriptor?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Invalid model descriptor: {e.Message}", nameof(Descriptor), e);
        }
        return this;
    }
}
