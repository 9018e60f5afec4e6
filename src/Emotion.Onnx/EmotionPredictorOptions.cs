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

    /// <summary>Frames per chunk of a stream (<see cref="EmotionPredictor.OpenStream"/>; default 16). Smaller chunks lower latency, larger ones raise throughput.</summary>
    public int StreamChunkSize { get; init; } = 16;

    /// <summary>
    /// Whether frames of another size are resized (bilinear, aspect ratio not kept) to the model's input size. Off by
    /// default: a frame of the wrong size is an error, because the model expects face crops prepared like its training data.
    /// </summary>
    public bool ResizeFrames { get; init; }

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
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public EmotionPredictorOptions Validate()
    {
        if (!Enum.IsDefined(ExecutionProvider)) throw new ArgumentException($"Unknown execution provider {ExecutionProvider}.", nameof(ExecutionProvider));
        if (CudaDeviceId < 0) throw new ArgumentException($"CudaDeviceId is {CudaDeviceId}; expected 0 or more.", nameof(CudaDeviceId));
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads is {IntraOpThreads}; expected 0 (default) or more.", nameof(IntraOpThreads));
        if (InterOpThreads < 0) throw new ArgumentException($"InterOpThreads is {InterOpThreads}; expected 0 (default) or more.", nameof(InterOpThreads));
        if (MaxFramesPerRun < 1) throw new ArgumentException($"MaxFramesPerRun is {MaxFramesPerRun}; expected at least 1.", nameof(MaxFramesPerRun));
        if (StreamChunkSize < 1) throw new ArgumentException($"StreamChunkSize is {StreamChunkSize}; expected at least 1.", nameof(StreamChunkSize));
        Smoothing?.Validate();
        Descriptor?.Validate();
        return this;
    }
}
