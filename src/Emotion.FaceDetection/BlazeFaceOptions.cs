using Emotion.FaceDetection.Decoding;

namespace Emotion.FaceDetection;

/// <summary>
/// Options of <see cref="BlazeFaceDetector"/>. The defaults are MediaPipe's <c>face_detection_short_range</c> values:
/// score threshold 0.5, weighted non-maximum suppression at IoU 0.3, letterboxed input.
/// </summary>
public sealed record BlazeFaceOptions : FaceDetectorOptions
{
    /// <summary>The default options.</summary>
    public static BlazeFaceOptions Default { get; } = new();

    /// <summary>The anchors the model's outputs refer to (default: MediaPipe's short-range face detection anchors).</summary>
    /// <remarks>A copy per instance: configuration binding sets properties in place, which must not reach the shared default.</remarks>
    public SsdAnchorOptions Anchors { get; init; } = SsdAnchorOptions.FaceDetectionShortRange with { };

    /// <summary>Whether overlapping detections are merged by score-weighted averaging (MediaPipe, default) or the weaker ones dropped.</summary>
    public bool WeightedSuppression { get; init; } = true;
}
