namespace Emotion.Core.Faces;

/// <summary>A face bounding box in pixel coordinates of the source image (x to the right, y down).</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width; must be positive.</param>
/// <param name="Height">Height; must be positive.</param>
public readonly record struct FaceBox(float X, float Y, float Width, float Height)
{
    /// <summary>The box grown by <paramref name="margin"/> times its width/height on every side (shrunk for a negative margin above -0.5).</summary>
    /// <param name="margin">The fraction of the box size added on each side.</param>
    /// <exception cref="ArgumentOutOfRangeException">The margin is not finite or would leave an empty box.</exception>
    public FaceBox Expand(float margin)
    {
        if (!float.IsFinite(margin) || margin <= -0.5f)
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "Expected a finite margin above -0.5.");
        return new FaceBox(X - margin * Width, Y - margin * Height, Width * (1 + 2 * margin), Height * (1 + 2 * margin));
    }

    /// <summary>
    /// The pixel rectangle to crop: the box grown by <paramref name="margin"/> times its width/height on every side,
    /// rounded outwards to whole pixels, then clamped to the image (parts outside the image are cut off, the box is not
    /// shifted). A box that does not overlap the image at all is an error. <c>Emotion.Preprocessing</c>'s
    /// <c>FaceBoxCrop.ClampTo</c> returns the same rectangle as an ImageSharp <c>Rectangle</c>.
    /// </summary>
    /// <param name="imageWidth">The image width in pixels.</param>
    /// <param name="imageHeight">The image height in pixels.</param>
    /// <param name="margin">The fraction of the box size added on each side (0 = the box itself).</param>
    /// <exception cref="ArgumentException">The box is empty, not finite, or lies entirely outside the image.</exception>
    /// <returns>The left and top pixel and the width and height in pixels, all within the image.</returns>
    public (int X, int Y, int Width, int Height) ClampToPixels(int imageWidth, int imageHeight, float margin = 0f)
    {
        if (!(Width > 0 && Height > 0) || !float.IsFinite(X) || !float.IsFinite(Y) || !float.IsFinite(Width) || !float.IsFinite(Height))
            throw new ArgumentException($"Face box {this} must have finite coordinates and a positive width and height.");
        if (!(margin >= 0f) || !float.IsFinite(margin))
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "Expected a non-negative, finite face box margin.");
        float mx = margin * Width, my = margin * Height;
        int left = (int)MathF.Floor(X - mx), top = (int)MathF.Floor(Y - my);
        int right = (int)MathF.Ceiling(X + Width + mx), bottom = (int)MathF.Ceiling(Y + Height + my);
        left = Math.Max(left, 0);
        top = Math.Max(top, 0);
        right = Math.Min(right, imageWidth);
        bottom = Math.Min(bottom, imageHeight);
        if (right <= left || bottom <= top)
            throw new ArgumentException($"Face box {this} (margin {margin}) lies outside the {imageWidth}x{imageHeight} image.");
        return (left, top, right - left, bottom - top);
    }
}
