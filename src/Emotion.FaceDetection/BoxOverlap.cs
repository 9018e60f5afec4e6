using Emotion.Core.Faces;


namespace Emotion.FaceDetection;

/// <summary>Overlap measures between face boxes.</summary>
public static class BoxOverlap
{
    /// <summary>
    /// The intersection over union (Jaccard index) of two boxes: the area of their intersection divided by the area of
    /// their union, in [0, 1]; 0 when they do not overlap or either box is empty.
    /// </summary>
    /// <param name="a">The first box.</param>
    /// <param name="b">The second box.</param>
    public static float IntersectionOverUnion(in FaceBox a, in FaceBox b)
    {
        float areaA = Math.Max(a.Width, 0f) * Math.Max(a.Height, 0f);
        float areaB = Math.Max(b.Width, 0f) * Math.Max(b.Height, 0f);
        if (areaA <= 0f || areaB <= 0f) return 0f;
        float left = Math.Max(a.X, b.X), top = Math.Max(a.Y, b.Y);
        float right = Math.Min(a.X + a.Width, b.X + b.Width), bottom = Math.Min(a.Y + a.Height, b.Y + b.Height);
        if (right <= left || bottom <= top) return 0f;
        float intersection = (right - left) * (bottom - top);
        return intersection / (areaA + areaB - intersection);
    }

    /// <summary>The area of a box (0 when its width or height is not positive).</summary>
    public static float Area(in FaceBox box) => Math.Max(box.Width, 0f) * Math.Max(box.Height, 0f);
}
