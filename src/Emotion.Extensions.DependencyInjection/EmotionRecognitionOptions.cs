using Emotion.FaceDetection;
using Emotion.FaceDetection.Tracking;
using Emotion.Onnx;
using Emotion.Onnx.Models;
using Emotion.Onnx.Video;
using Emotion.Onnx.Smoothing;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// The settings of the <see cref="EmotionPredictor"/>, <see cref="IFaceDetector"/> and <see cref="VideoEmotionPredictor"/>
/// registered by <c>services.AddEmotionRecognition(o =&gt; o.UseOnnxModel(path).UseFaceDetector(blazeFacePath))</c>.
/// A mutable class, as the options pattern needs; validated when a service is first resolved.
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

    /// <summary>
    /// Frames of another size than the model's input: null (default) resizes those with the model's aspect ratio and
    /// refuses others, true resizes every frame (stretching), false refuses any other size
    /// (see <see cref="EmotionPredictorOptions.ResizeFrames"/>).
    /// </summary>
    public bool? ResizeFrames { get; set; }

    /// <summary>Temporal smoothing of sequences and streams, or null (default) for none.</summary>
    public PredictionSmootherOptions? Smoothing { get; set; }

    /// <summary>How to run a third-party model, or null (default) to read the Emotion.Core metadata of the model.</summary>
    public OnnxModelDescriptor? Descriptor { get; set; }

    /// <summary>
    /// The face detector ONNX file of the registered <see cref="IFaceDetector"/>: BlazeFace
    /// (<c>face_detection_front_128x128_barracuda.onnx</c>) or UltraFace RFB-320, told apart by <see cref="FaceDetectors.Open"/>
    /// (see docs/face-detection.md); or null (default) for none: <see cref="VideoEmotionPredictor"/> then takes whole frames
    /// as face crops.
    /// </summary>
    public string? FaceDetectorPath { get; set; }

    /// <summary>BlazeFace settings (score threshold, suppression, threads), or null (default) to open the model with <see cref="FaceDetectors.Open"/> and its defaults.</summary>
    public BlazeFaceOptions? FaceDetectorOptions { get; set; }

    /// <summary>With a face detector: one prediction stream per face track instead of following one face (see <see cref="VideoPredictionOptions.AllFaces"/>).</summary>
    public bool AllFaces { get; set; }

    /// <summary>Which face to follow in one-face mode (default the largest).</summary>
    public FaceSelection FaceSelection { get; set; } = FaceSelection.Largest;

    /// <summary>The fraction of a detected box's size added on every side before cropping, in [0, 2]; null (default) for <see cref="VideoPredictionOptions.DefaultDetectorMargin"/>.</summary>
    public float? FaceMargin { get; set; }

    /// <summary>The face tracker's settings, or null (default) for <see cref="FaceTrackerOptions.Default"/>.</summary>
    public FaceTrackerOptions? Tracking { get; set; }

    /// <summary>Whether face tracks (and the one-face stream's recurrent state) restart at shot cuts (default true).</summary>
    public bool ResetTracksAtCuts { get; set; } = true;

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

    /// <summary>
    /// Registers an <see cref="IFaceDetector"/> on <paramref name="modelPath"/> and makes the registered
    /// <see cref="VideoEmotionPredictor"/> find (and track) faces with it.
    /// </summary>
    /// <param name="modelPath">A BlazeFace or UltraFace ONNX file.</param>
    /// <param name="options">BlazeFace settings (the file must then be BlazeFace), or null for the model's defaults.</param>
    public EmotionRecognitionOptions UseFaceDetector(string modelPath, BlazeFaceOptions? options = null)
    {
        FaceDetectorPath = modelPath;
        FaceDetectorOptions = options;
        return this;
    }

    /// <summary>Predicts every face of a video, one stream per track (needs <see cref="UseFaceDetector"/>).</summary>
    public EmotionRecognitionOptions UseAllFaces()
    {
        AllFaces = true;
        return this;
    }

    /// <summary>The video prediction options these settings stand for, with <paramref name="detector"/> (null without a face detector).</summary>
    public VideoPredictionOptions ToVideoOptions(IFaceDetector? detector) => new()
    {
        Detector = detector,
        AllFaces = AllFaces,
        Selection = FaceSelection,
        Margin = FaceMargin,
        Tracking = Tracking,
        ResetTracksAtCuts = ResetTracksAtCuts,
    };

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
