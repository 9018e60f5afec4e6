namespace Emotion.FaceDetection;

/// <summary>
/// Options of <see cref="UltraFaceDetector"/>. The defaults follow the UltraFace reference code: score threshold 0.7,
/// hard non-maximum suppression at IoU 0.3, and the image stretched to the input size (as the model was trained;
/// set <see cref="FaceDetectorOptions.KeepAspectRatio"/> to letterbox instead).
/// </summary>
public sealed record UltraFaceOptions : FaceDetectorOptions
{
    /// <summary>Creates the default options.</summary>
    public UltraFaceOptions()
    {
        ScoreThreshold = 0.7f;
        KeepAspectRatio = false;
    }

    /// <summary>The default options.</summary>
    public static UltraFaceOptions Default { get; } = new();
}
