using Emotion.Core.Faces;
using SixLabors.ImageSharp;

namespace Emotion.Preprocessing.Transforms;

/// <summary>ImageSharp's view of a <see cref="FaceBox"/>: the rectangle to crop.</summary>
public static class FaceBoxCrop
{
    /// <summary>
    /// The pixel rectangle to crop (<see cref="FaceBox.ClampToPixels"/>): the box grown by <paramref name="margin"/> times its
    /// width/height on every side, rounded outwards to whole pixels, then clamped to the image.
    /// </summary>
    /// <param name="box">The face box in pixels of the image.</param>
    /// <param name="imageWidth">The image width in pixels.</param>
    /// <param name="imageHeight">The image height in pixels.</param>
    /// <param name="margin">The fraction of the box size added on each side (0 = the box itself).</param>
    /// <exception cref="ArgumentException">The box is empty, not finite, or lies entirely outside the image.</exception>
    public static Rectangle ClampTo(this FaceBox box, int imageWidth, int imageHeight, float margin = 0f)
    {
        var (x, y, width, height) = box.ClampToPixels(imageWidth, imageHeight, margin);
        return new Rectangle(x, y, width, height);
    }
}
