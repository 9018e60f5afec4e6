namespace Emotion.Synthetic;

/// <summary>
/// The geometry of the synthetic face, shared by the renderer and <see cref="SyntheticFaces.RegionOf"/> so that the
/// published regions always contain what is drawn. Feature positions are in face units: multiples of the face's
/// horizontal (rx) and vertical (ry) radii from its centre, y down.
/// </summary>
internal static class FaceGeometry
{
    public const float CenterX = 0.5f, CenterY = 0.50f, RadiusX = 0.40f, RadiusY = 0.46f;
    public const float MaxIdentityOffset = 0.03f, MaxFrameOffset = 0.008f, MinScale = 0.92f, MaxScale = 1.06f;

    // Eyes
    public const float EyeX = 0.38f, EyeY = -0.16f, EyeHalfWidth = 0.16f, EyeHalfHeight = 0.08f, EyeWiden = 1.1f;
    public const float IrisRadius = 0.075f, PupilRadius = 0.03f;
    // Brows
    public const float BrowY = -0.36f, BrowRaise = 0.10f, BrowHalfLength = 0.20f, BrowFrownAmplitude = 0.09f, BrowThickness = 0.06f;
    // Nose
    public const float NostrilX = 0.08f, NostrilY = 0.13f, NostrilRx = 0.035f, NostrilRy = 0.025f;
    public const float WrinkleTop = -0.08f, WrinkleSpacing = 0.07f, WrinkleHalfLength = 0.13f, WrinkleThickness = 0.04f;
    // Nasolabial furrows, deepened by the nose wrinkler (disgust): a line on each side from near the nose wing down and out.
    public const float FoldTopX = 0.14f, FoldTopY = 0.08f, FoldBottomX = 0.32f, FoldBottomY = 0.28f, FoldThickness = 0.05f;
    // Mouth
    public const float MouthY = 0.45f, MouthHalfWidth = 0.36f, MouthNarrowing = 0.25f, MouthCurveAmplitude = 0.20f,
        MouthOpenAmplitude = 0.24f, LipThickness = 0.06f;

    /// <summary>Maps a feature box in face units to a frame region covering every allowed placement (offset and scale jitter) plus a margin.</summary>
    public static NormalizedRegion Region(float fx0, float fx1, float fy0, float fy1)
    {
        const float offset = MaxIdentityOffset + MaxFrameOffset, margin = 0.01f;
        float x0 = float.MaxValue, x1 = float.MinValue, y0 = float.MaxValue, y1 = float.MinValue;
        foreach (var s in (ReadOnlySpan<float>)[MinScale, MaxScale])
        {
            x0 = Math.Min(x0, CenterX + fx0 * RadiusX * s);
            x1 = Math.Max(x1, CenterX + fx1 * RadiusX * s);
            y0 = Math.Min(y0, CenterY + fy0 * RadiusY * s);
            y1 = Math.Max(y1, CenterY + fy1 * RadiusY * s);
        }
        x0 = Math.Max(0f, x0 - offset - margin);
        y0 = Math.Max(0f, y0 - offset - margin);
        x1 = Math.Min(1f, x1 + offset + margin);
        y1 = Math.Min(1f, y1 + offset + margin);
        return new NormalizedRegion(x0, y0, x1 - x0, y1 - y0);
    }
}
