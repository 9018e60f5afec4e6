using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Synthetic;

/// <summary>
/// Draws a synthetic face into packed RGB bytes with per-pixel shape tests (no drawing library): an elliptical face
/// with lighting, two eyes (sclera, iris, pupil), two brows, nostrils, optional nose wrinkles and nasolabial furrows, and a mouth drawn as a
/// parabola-shaped curve that can open. Edges are softened over about one pixel from approximate signed distances, so
/// shapes are smooth. Per-pixel noise comes from the frame's <see cref="FrameRandom"/>, so rendering is deterministic.
/// </summary>
public static class SyntheticFaceRenderer
{
    /// <summary>Renders one frame into an image.</summary>
    /// <param name="size">Width and height in pixels.</param>
    /// <param name="identity">The video's appearance.</param>
    /// <param name="parameters">The frame's expression (the identity's resting offsets are not added here).</param>
    /// <param name="shiftX">Per-frame face shift (fraction of the frame).</param>
    /// <param name="shiftY">Per-frame face shift (fraction of the frame).</param>
    /// <param name="noise">The frame's random generator (pixel noise).</param>
    public static Image<Rgb24> Render(int size, in FaceIdentity identity, in FaceParameters parameters, float shiftX, float shiftY, ref FrameRandom noise)
    {
        var pixels = new byte[size * size * 3];
        Render(pixels, size, identity, parameters, shiftX, shiftY, ref noise);
        return Image.LoadPixelData<Rgb24>(pixels, size, size);
    }

    /// <summary>Renders one frame into packed RGB bytes (<c>size * size * 3</c>).</summary>
    /// <exception cref="ArgumentException">The buffer has the wrong length.</exception>
    public static void Render(Span<byte> rgb, int size, in FaceIdentity identity, in FaceParameters parameters, float shiftX, float shiftY, ref FrameRandom noise)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 16);
        if (rgb.Length != size * size * 3) throw new ArgumentException($"Expected {size * size * 3} bytes for a {size}x{size} frame.", nameof(rgb));
        var id = identity;
        var p = parameters;
        float S = size;
        float cx = (FaceGeometry.CenterX + id.OffsetX + shiftX) * S, cy = (FaceGeometry.CenterY + id.OffsetY + shiftY) * S;
        float rx = FaceGeometry.RadiusX * id.Scale * S, ry = FaceGeometry.RadiusY * id.Scale * S;
        float rmin = Math.Min(rx, ry);

        // Feature geometry in pixels.
        float eyeHalfH = FaceGeometry.EyeHalfHeight * (1f + FaceGeometry.EyeWiden * p.EyeWidening) * ry;
        float eyeHalfW = FaceGeometry.EyeHalfWidth * rx, eyeY = cy + FaceGeometry.EyeY * ry;
        float irisR = Math.Min(FaceGeometry.IrisRadius * rx, eyeHalfH * 1.1f), pupilR = FaceGeometry.PupilRadius * rx;
        float browY = cy + (FaceGeometry.BrowY - FaceGeometry.BrowRaise * p.EyeWidening) * ry;
        float browHalf = FaceGeometry.BrowHalfLength * rx, browThick = FaceGeometry.BrowThickness * ry;
        float frown = FaceGeometry.BrowFrownAmplitude * p.BrowFrown * ry;
        float mouthY = cy + FaceGeometry.MouthY * ry;
        float mouthHalfW = FaceGeometry.MouthHalfWidth * (1f - FaceGeometry.MouthNarrowing * p.MouthOpening) * rx;
        float curve = FaceGeometry.MouthCurveAmplitude * p.MouthCurvature * ry;
        float open = FaceGeometry.MouthOpenAmplitude * p.MouthOpening * ry;
        float lipHalf = FaceGeometry.LipThickness * ry * 0.5f;
        float wrinkleHalf = FaceGeometry.WrinkleThickness * ry * 0.5f, wrinkleLen = FaceGeometry.WrinkleHalfLength * rx;

        var skin = id.Skin;
        var skinDark = (skin.R * 0.55f, skin.G * 0.5f, skin.B * 0.5f);
        var white = (235f, 235f, 228f);
        var pupil = (15f, 12f, 12f);
        var mouthInside = (70f, 20f, 25f);
        float cosA = MathF.Cos(id.PatternAngle), sinA = MathF.Sin(id.PatternAngle);
        float freq = 2f * MathF.PI * id.PatternFrequency / S;

        // Row ranges (with a 2-pixel margin) outside which a feature cannot contribute.
        float browReach = frown + 0.03f * ry + browThick;
        float nostrilY = cy + FaceGeometry.NostrilY * ry, nostrilRy = FaceGeometry.NostrilRy * ry;
        float wrinkleTopY = cy + FaceGeometry.WrinkleTop * ry, wrinkleBottomY = wrinkleTopY + 2 * FaceGeometry.WrinkleSpacing * ry;
        float foldTopY = cy + FaceGeometry.FoldTopY * ry, foldBottomY = cy + FaceGeometry.FoldBottomY * ry, foldHalf = FaceGeometry.FoldThickness * ry * 0.5f;
        float foldDx = (FaceGeometry.FoldBottomX - FaceGeometry.FoldTopX) * rx, foldDy = foldBottomY - foldTopY, foldLength2 = foldDx * foldDx + foldDy * foldDy;
        float mouthReach = Math.Abs(curve) * 0.7f + lipHalf + 2f;
        float innerEdge2 = Square(Math.Max(0f, 1f - 1.5f / rmin)), outerEdge2 = Square(1f + 1.5f / rmin);

        for (int y = 0; y < size; y++)
        {
            float py = y + 0.5f;
            var row = rgb.Slice(y * size * 3, size * 3);
            bool eyeRow = MathF.Abs(py - eyeY) < eyeHalfH + 2f;
            bool browRow = MathF.Abs(py - browY) < browReach + 2f;
            bool nostrilRow = MathF.Abs(py - nostrilY) < nostrilRy + 2f;
            bool wrinkleRow = p.NoseWrinkle > 0.01f && py > wrinkleTopY - wrinkleHalf - 2f && py < wrinkleBottomY + wrinkleHalf + 2f;
            bool foldRow = p.NoseWrinkle > 0.01f && py > foldTopY - foldHalf - 2f && py < foldBottomY + foldHalf + 2f;
            bool mouthRow = py > mouthY - mouthReach && py < mouthY + mouthReach + open;
            float uy = (py - cy) / ry, uy2 = uy * uy;
            // Background stripes sin(phase0 + x * step), advanced by the angle-addition recurrence (no sin per pixel).
            float phase0 = (0.5f * cosA + py * sinA) * freq, step = cosA * freq;
            float sinX = MathF.Sin(phase0), cosX = MathF.Cos(phase0), sinStep = MathF.Sin(step), cosStep = MathF.Cos(step);
            for (int x = 0; x < size; x++)
            {
                float px = x + 0.5f;
                // Background: base colour with a stripe pattern.
                float stripe = id.BackgroundPattern * sinX;
                (sinX, cosX) = (sinX * cosStep + cosX * sinStep, cosX * cosStep - sinX * sinStep);
                float r = id.Background.R + stripe, g = id.Background.G + stripe, b = id.Background.B + stripe;

                float ux = (px - cx) / rx;
                float e2 = ux * ux + uy2;
                float faceCov = e2 <= innerEdge2 ? 1f : e2 >= outerEdge2 ? 0f : Coverage((MathF.Sqrt(e2) - 1f) * rmin);
                if (faceCov > 0f)
                {
                    float shade = 1f - 0.18f * e2 * e2;
                    float fr = skin.R * shade, fg = skin.G * shade, fb = skin.B * shade;
                    float side = px < cx ? -1f : 1f;

                    // Eyes, iris and pupil (the nearer eye).
                    if (eyeRow)
                    {
                        float ex = cx + side * FaceGeometry.EyeX * rx;
                        if (MathF.Abs(px - ex) < eyeHalfW + 2f)
                        {
                            float eyeCov = EllipseCoverage(px - ex, py - eyeY, eyeHalfW, eyeHalfH);
                            if (eyeCov > 0f)
                            {
                                float dist = MathF.Sqrt((px - ex) * (px - ex) + (py - eyeY) * (py - eyeY));
                                Blend(ref fr, ref fg, ref fb, white, eyeCov);
                                Blend(ref fr, ref fg, ref fb, id.Iris, Coverage(dist - irisR) * eyeCov);
                                Blend(ref fr, ref fg, ref fb, pupil, Coverage(dist - pupilR) * eyeCov);
                            }
                        }
                    }

                    // Brows: t = -1 at the inner end, +1 at the outer end; frowning lowers the inner end.
                    if (browRow)
                    {
                        float bx = cx + side * FaceGeometry.EyeX * rx;
                        float t = (px - bx) / browHalf * side;
                        if (t > -1.3f && t < 1.3f)
                        {
                            float by = browY - frown * t - 0.02f * ry * (1f - t * t);
                            float cov = Coverage(MathF.Abs(py - by) - browThick * 0.5f) * Coverage((MathF.Abs(t) - 1f) * browHalf);
                            Blend(ref fr, ref fg, ref fb, id.Brow, cov);
                        }
                    }

                    // Nostrils.
                    if (nostrilRow)
                    {
                        float nx = cx + side * FaceGeometry.NostrilX * rx, nrx = FaceGeometry.NostrilRx * rx;
                        if (MathF.Abs(px - nx) < nrx + 2f)
                            Blend(ref fr, ref fg, ref fb, skinDark, EllipseCoverage(px - nx, py - nostrilY, nrx, nostrilRy) * 0.9f);
                    }

                    // Nose wrinkles (disgust): three short horizontal lines across the bridge.
                    if (wrinkleRow && MathF.Abs(px - cx) < wrinkleLen + 1f)
                    {
                        float endCov = Coverage(MathF.Abs(px - cx) - wrinkleLen);
                        for (int k = 0; k < 3; k++)
                        {
                            float wy = wrinkleTopY + k * FaceGeometry.WrinkleSpacing * ry;
                            float cov = Coverage(MathF.Abs(py - wy) - wrinkleHalf) * endCov * p.NoseWrinkle;
                            Blend(ref fr, ref fg, ref fb, skinDark, cov);
                        }
                    }

                    // Nasolabial furrows (disgust): distance to the segment on the pixel's side.
                    if (foldRow)
                    {
                        float qx = MathF.Abs(px - cx) - FaceGeometry.FoldTopX * rx, qy = py - foldTopY;
                        float t = Math.Clamp((qx * foldDx + qy * foldDy) / foldLength2, 0f, 1f);
                        float dx = qx - t * foldDx, dy = qy - t * foldDy;
                        float cov = Coverage(MathF.Sqrt(dx * dx + dy * dy) - foldHalf) * p.NoseWrinkle * 0.85f;
                        Blend(ref fr, ref fg, ref fb, skinDark, cov);
                    }

                    // Mouth: upper lip line y = mouthY - curve * (d^2 - 0.3), open interior below it.
                    if (mouthRow)
                    {
                        float d = (px - cx) / mouthHalfW;
                        if (d > -1.2f && d < 1.2f)
                        {
                            float endCov = Coverage((MathF.Abs(d) - 1f) * mouthHalfW);
                            float d2 = Math.Min(d * d, 1f);
                            float upper = mouthY - curve * (d2 - 0.3f);
                            float h = open * (1f - d2);
                            float lower = upper + h;
                            float inside = h > 0.5f ? Coverage(upper - py) * Coverage(py - lower) : 0f;
                            Blend(ref fr, ref fg, ref fb, mouthInside, inside * endCov);
                            float lipCov = Math.Max(Coverage(MathF.Abs(py - upper) - lipHalf), Coverage(MathF.Abs(py - lower) - lipHalf));
                            Blend(ref fr, ref fg, ref fb, id.Lips, lipCov * endCov);
                        }
                    }

                    r += (fr - r) * faceCov;
                    g += (fg - g) * faceCov;
                    b += (fb - b) * faceCov;
                }

                float light = id.Brightness * (1f + id.LightGradient * (px / S - 0.5f));
                ulong bits = noise.NextUInt64();
                float nr = ((bits & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
                float ng = (((bits >> 16) & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
                float nb = (((bits >> 32) & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
                int o = x * 3;
                row[o] = ToByte(r * light + nr);
                row[o + 1] = ToByte(g * light + ng);
                row[o + 2] = ToByte(b * light + nb);
            }
        }
    }

    private static float Square(float v) => v * v;

    private static float Coverage(float signedDistance) => Math.Clamp(0.5f - signedDistance, 0f, 1f);

    private static float EllipseCoverage(float dx, float dy, float ax, float ay)
    {
        float q = MathF.Sqrt(dx * dx / (ax * ax) + dy * dy / (ay * ay));
        return Coverage((q - 1f) * Math.Min(ax, ay));
    }

    private static void Blend(ref float r, ref float g, ref float b, (float R, float G, float B) c, float alpha)
    {
        if (alpha <= 0f) return;
        r += (c.R - r) * alpha;
        g += (c.G - g) * alpha;
        b += (c.B - b) * alpha;
    }

    private static byte ToByte(float v) => v <= 0f ? (byte)0 : v >= 255f ? (byte)255 : (byte)(v + 0.5f);
}
