using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection;

/// <summary>Finds faces in an RGB image. Implementations hold native sessions: dispose them.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>
    /// Detects the faces in <paramref name="image"/>, most confident first, with boxes in the image's pixel coordinates.
    /// Safe to call from several threads at once unless the implementation says otherwise.
    /// </summary>
    /// <param name="image">Any size; the detector resizes internally.</param>
    /// <returns>The faces above the detector's score threshold after non-maximum suppression; empty when none.</returns>
    IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image);
}
