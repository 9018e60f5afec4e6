using Emotion.Onnx;
using Emotion.Onnx.Models;
using Emotion.Onnx.Smoothing;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// The settings of the <see cref="EmotionPredictor"/> registered by
/// <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel(path))</c>. A mutable class, as the options pattern needs;
/// validated when the predictor is first resolved.
/// </summary>
public sealed class EmotionRecognitionOptions
{
    /// <summary>The ONNX model file (required).</summary>
    public string? ModelPath { get; set; }

    /// <summary>CPU (default) or CUDA.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>The GPU used by the CUDA provider (default 0).</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>Threads inside one operator (0 = ONNX Runtime's default).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads across operators (0 = ONNX Runtime's default).</summary>
    public int InterOpThreads { get; set; }

    /// <summary>ONNX Runtime's graph optimisation level (default all).</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The most frames per run (default 32).</summary>
    public int MaxFramesPerRun { get; set; } = 32;

    /// <summary>Frames per chunk of a stream (default 16).</summary>
    public int StreamChunkSize { get; set; } = 16;

    /// <summary>Whether frames of another size are resized to the model's input (default false: an error).</summary>
    public bool ResizeFrames { get; set; }

    /// <summary>Temporal smoothing of sequences and streams, or null (default) for none.</summary>
    public PredictionSmootherOptions? Smoothing { get; set; }

    /// <summary>How to run a third-party model, or null (default) to read the Emotion.Core metadata of the model.</summary>
    public OnnxModelDescriptor? Descriptor { get; set; }

    /// <summary>Sets the model file.</summary>
    public EmotionRecognitionOptions UseOnnxModel(string path)
    {
        ModelPath = path;
        return this;
    }

    /// <summary>Runs on the CUDA execution provider (needs the Microsoft.ML.OnnxRuntime.Gpu package).</summary>
    public EmotionRecognitionOptions UseCuda(int deviceId = 0)
    {
        ExecutionProvider = OnnxExecutionProvider.Cuda;
        CudaDeviceId = deviceId;
        return this;
    }

    /// <summary>Sets the intra-op thread count.</summary>
    public EmotionRecognitionOptions UseThreads(int intraOpThreads)
    {
        IntraOpThreads = intraOpThreads;
        return this;
    }

    /// <summary>Smooths predictions over time.</summary>
    public EmotionRecognitionOptions UseSmoothing(PredictionSmootherOptions smoothing)
    {
        Smoothing = smoothing;
        return this;
    }

    /// <summary>Describes a third-party model.</summary>
    public EmotionRecognitionOptions UseDescriptor(OnnxModelDescriptor descriptor)
    {
        Descriptor = descriptor;
        return this;
    }

    /// <summary>The predictor options these settings stand for.</summary>
    public EmotionPredictorOptions ToPredictorOptions() => new()
    {
        ExecutionProvider = ExecutionProvider,
        CudaDeviceId = CudaDeviceId,
        IntraOpThreads = IntraOpThreads,
        InterOpThreads = InterOpThreads,
        GraphOptimizationLevel = GraphOptimizationLevel,
        MaxFramesPerRun = MaxFramesPerRun,
        StreamChunkSize = StreamChunkSize,
        ResizeFrames = ResizeFrames,
        Smoothing = Smoothing,
        Descriptor = Descriptor,
    };
}
