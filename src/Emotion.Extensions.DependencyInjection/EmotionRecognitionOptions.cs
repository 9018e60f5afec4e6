using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Models;
using Emotion.Onnx.Smoothing;
using Emotion.Onnx.Video;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// The settings of one emotion model registered by <c>services.AddEmotionRecognition(...)</c>: the model file, the
/// library's own <see cref="EmotionPredictorOptions"/> and <see cref="VideoPredictionOptions"/>, and the face detector
/// file. A mutable class, as the options pattern needs; the composed option records are bound from configuration as they
/// are (<c>EmotionRecognition:Predictor:MaxFramesPerRun</c>, <c>EmotionRecognition:Video:Margin</c>, ...) and checked
/// by their own <c>Validate</c> methods (see <see cref="EmotionRecognitionOptionsValidator"/>).
/// </summary>
public sealed class EmotionRecognitionOptions
{
    /// <summary>The configuration section <see cref="EmotionRecognitionBuilder.BindConfiguration"/> binds by default.</summary>
    public const string DefaultSection = "EmotionRecognition";

    /// <summary>The ONNX model file (required).</summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// The predictor's settings: execution provider, threads, batching, resizing, smoothing and, for a third-party model,
    /// its <see cref="EmotionPredictorOptions.Descriptor"/>. A fresh instance per options object (never a shared default),
    /// because configuration binding sets its properties in place.
    /// </summary>
    public EmotionPredictorOptions Predictor { get; set; } = new();

    /// <summary>
    /// A JSON <see cref="OnnxModelDescriptor"/> file (the format of <see cref="OnnxModelDescriptor.ToJson"/> and of the
    /// CLI's <c>--descriptor</c>) for a third-party model, or null. The way to give a descriptor through configuration;
    /// in code, <see cref="UseDescriptor"/> sets <see cref="EmotionPredictorOptions.Descriptor"/> directly. Not both.
    /// </summary>
    public string? DescriptorPath { get; set; }

    /// <summary>
    /// The face detector ONNX file of the registered <see cref="IFaceDetector"/>: BlazeFace
    /// (<c>face_detection_front_128x128_barracuda.onnx</c>) or UltraFace RFB-320, told apart by <see cref="FaceDetectors.Open"/>
    /// (see docs/face-detection.md); or null (default) for none: the <see cref="VideoEmotionPredictor"/> then takes whole
    /// frames as face crops (or uses <see cref="VideoPredictionOptions.FaceBoxes"/> / a <see cref="VideoPredictionOptions.Detector"/>
    /// set in code).
    /// </summary>
    public string? FaceDetectorPath { get; set; }

    /// <summary>BlazeFace settings (score threshold, suppression, threads) for <see cref="FaceDetectorPath"/>, which must then be BlazeFace; null (default) to open the model with <see cref="FaceDetectors.Open"/> and its defaults.</summary>
    public BlazeFaceOptions? BlazeFace { get; set; }

    /// <summary>
    /// The video predictor's settings: all faces or one, which face, the margin around a face, the tracker, resets at shot
    /// cuts. Its <see cref="VideoPredictionOptions.Detector"/> is the registered <see cref="IFaceDetector"/> when
    /// <see cref="FaceDetectorPath"/> is set. A fresh instance per options object, as <see cref="Predictor"/>.
    /// </summary>
    public VideoPredictionOptions Video { get; set; } = new();

    /// <summary>Sets the model file.</summary>
    public EmotionRecognitionOptions UseOnnxModel(string path)
    {
        ModelPath = path;
        return this;
    }

    /// <summary>Runs on the CUDA execution provider (needs the Microsoft.ML.OnnxRuntime.Gpu package).</summary>
    public EmotionRecognitionOptions UseCuda(int deviceId = 0)
    {
        Predictor = Predictor with { ExecutionProvider = OnnxExecutionProvider.Cuda, CudaDeviceId = deviceId };
        return this;
    }

    /// <summary>Sets the intra-op thread count (<see cref="EmotionPredictorOptions.IntraOpThreads"/>).</summary>
    public EmotionRecognitionOptions UseThreads(int intraOpThreads)
    {
        Predictor = Predictor with { IntraOpThreads = intraOpThreads };
        return this;
    }

    /// <summary>Smooths predictions over time (<see cref="EmotionPredictorOptions.Smoothing"/>).</summary>
    public EmotionRecognitionOptions UseSmoothing(PredictionSmootherOptions smoothing)
    {
        Predictor = Predictor with { Smoothing = smoothing };
        return this;
    }

    /// <summary>Describes a third-party model (<see cref="EmotionPredictorOptions.Descriptor"/>).</summary>
    public EmotionRecognitionOptions UseDescriptor(OnnxModelDescriptor descriptor)
    {
        Predictor = Predictor with { Descriptor = descriptor };
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
        BlazeFace = options;
        return this;
    }

    /// <summary>Predicts every face of a video, one stream per track (<see cref="VideoPredictionOptions.AllFaces"/>; needs <see cref="UseFaceDetector"/>).</summary>
    public EmotionRecognitionOptions UseAllFaces()
    {
        Video = Video with { AllFaces = true };
        return this;
    }

    /// <summary>The predictor options in effect: <see cref="Predictor"/> with the descriptor read from <see cref="DescriptorPath"/> when one is set.</summary>
    /// <exception cref="FormatException">The descriptor file is not a valid descriptor.</exception>
    public EmotionPredictorOptions ToPredictorOptions() =>
        DescriptorPath is null ? Predictor : Predictor with { Descriptor = OnnxModelDescriptor.FromJson(File.ReadAllText(DescriptorPath)) };

    /// <summary>The video options in effect: <see cref="Video"/> with <paramref name="detector"/> (the registered detector, or null without <see cref="FaceDetectorPath"/>).</summary>
    public VideoPredictionOptions ToVideoOptions(IFaceDetector? detector) =>
        detector is null ? Video : Video with { Detector = detector };
}
