namespace Emotion.FaceDetection.Decoding;

/// <summary>One SSD anchor (prior box) in normalised input coordinates (0..1, x to the right, y down).</summary>
/// <param name="XCenter">The anchor's centre x.</param>
/// <param name="YCenter">The anchor's centre y.</param>
/// <param name="Width">The anchor's width (1 for fixed-size anchors).</param>
/// <param name="Height">The anchor's height (1 for fixed-size anchors).</param>
public readonly record struct SsdAnchor(float XCenter, float YCenter, float Width, float Height);
