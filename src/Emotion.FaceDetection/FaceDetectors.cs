namespace Emotion.FaceDetection;

/// <summary>Opens a face detector model whatever its kind, recognised from its graph's inputs and outputs.</summary>
public static class FaceDetectors
{
    /// <summary>
    /// Opens <paramref name="modelPath"/> as an UltraFace model when its graph has UltraFace's <c>scores</c> and <c>boxes</c>
    /// outputs, else as a BlazeFace model; each with its default options.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Emotion.Onnx.InvalidOnnxModelException">The file is not ONNX, or has neither layout; the message shows its inputs and outputs.</exception>
    /// <exception cref="Emotion.Onnx.ExecutionProviderUnavailableException">No native ONNX Runtime package is referenced by the application.</exception>
    public static IFaceDetector Open(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        using (var probe = new DetectorSession(modelPath, BlazeFaceOptions.Default, "face detector"))
        {
            if (probe.Outputs.ContainsKey(UltraFaceDetector.ScoresOutput) && probe.Outputs.ContainsKey(UltraFaceDetector.BoxesOutput))
                return new UltraFaceDetector(modelPath);
        }
        return new BlazeFaceDetector(modelPath);
    }
}
