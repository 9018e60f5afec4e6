using SixLabors.ImageSharp;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection;

/// <summary>
/// How an image was placed in a model's input: scaled by (<see cref="ScaleX"/>, <see cref="ScaleY"/>) input pixels per
/// image pixel and shifted by (<see cref="PadX"/>, <see cref="PadY"/>) input pixels. Maps normalised input coordinates
/// back to image pixels.
/// </summary>
internal readonly record struct ImageMapping(int InputWidth, int InputHeight, float ScaleX, float ScaleY, float PadX, float PadY)
{
    /// <summary>The image pixel x of normalised input x.</summary>
    public float ToImageX(float x) => (x * InputWidth - PadX) / ScaleX;

    /// <summary>The image pixel y of normalised input y.</summary>
    public float ToImageY(float y) => (y * InputHeight - PadY) / ScaleY;

    /// <summary>A box in normalised input coordinates in image pixels.</summary>
    public FaceBox ToImage(in FaceBox box)
    {
        float left = ToImageX(box.X), top = ToImageY(box.Y);
        return new FaceBox(left, top, ToImageX(box.X + box.Width) - left, ToImageY(box.Y + box.Height) - top);
    }

    /// <summary>A detection in normalised input coordinates in image pixels (box and keypoints).</summary>
    public DetectedFace ToImage(DetectedFace face)
    {
        var keypoints = face.Keypoints;
        if (!keypoints.IsDefaultOrEmpty)
        {
            var mapped = new PointF[keypoints.Length];
            for (int i = 0; i < mapped.Length; i++) mapped[i] = new PointF(ToImageX(keypoints[i].X), ToImageY(keypoints[i].Y));
            keypoints = [.. mapped];
        }
        return face with { Box = ToImage(face.Box), Keypoints = keypoints };
    }
}
