using Microsoft.ML.OnnxRuntime;

namespace Emotion.FaceDetection;

/// <summary>The settings every ONNX face detector shares. Each detector has its own options record with its defaults.</summary>
public abstract record FaceDetectorOptions
{
    /// <summary>The smallest confidence (0..1) of a reported face.</summary>
    public float ScoreThreshold { get; init; } = 0.5f;

    /// <summary>The intersection over union above which two detections are taken for the same face in non-maximum suppression.</summary>
    public float IouThreshold { get; init; } = 0.3f;

    /// <summary>The most faces reported per image (the most confident ones).</summary>
    public int MaxFaces { get; init; } = 16;

    /// <summary>
    /// Whether the image is scaled to fit the model's input with its aspect ratio kept and padded with black (letterbox),
    /// rather than stretched to the input size. Boxes are mapped back to the original image's pixels either way.
    /// </summary>
    public bool KeepAspectRatio { get; init; } = true;

    /// <summary>
    /// Run on the CUDA execution provider of this GPU (needs the application to reference Microsoft.ML.OnnxRuntime.Gpu rather
    /// than Microsoft.ML.OnnxRuntime, and CUDA 13 and cuDNN 9); null (default) runs on the CPU.
    /// </summary>
    public int? CudaDeviceId { get; init; }

    /// <summary>ONNX Runtime's intra-op threads; 0 (default) lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Further session settings applied last (for example another execution provider); optional.</summary>
    public Action<SessionOptions>? ConfigureSession { get; init; }

    /// <summary>Checks the values and returns these options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public FaceDetectorOptions Validate()
    {
        if (!(ScoreThreshold >= 0f && ScoreThreshold <= 1f))
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "Expected a face score threshold in [0, 1].");
        if (!(IouThreshold >= 0f && IouThreshold <= 1f))
            throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "Expected an IoU threshold in [0, 1].");
        if (MaxFaces < 1) throw new ArgumentOutOfRangeException(nameof(MaxFaces), MaxFaces, "Expected at least one face per image.");
        if (CudaDeviceId is < 0) throw new ArgumentOutOfRangeException(nameof(CudaDeviceId), CudaDeviceId, "Expected a non-negative CUDA device id.");
        if (IntraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "Expected 0 (automatic) or a positive thread count.");
        return this;
    }
}
