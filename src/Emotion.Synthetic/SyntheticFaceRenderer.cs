using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Synthetic;

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
        var face = new FaceLayout(size, identity, parameters, shiftX, shiftY);
        for (int y = 0; y < size; y++)
            RenderRow(rgb.Slice(y * size * 3, size * 3), y + 0.5f, face, identity, parameters, ref noise);
    }

    /// <summary>One row: background, then the face and its features where the face covers the pixel, then light and noise.</summary>
    private static void RenderRow(Span<byte> row, float py, in FaceLayout face, in FaceIdentity id, in FaceParameters p, ref FrameRandom noise)
    {
        var rows = new RowFeatures(face, p, py);
        var stripes = new Stripes(id, py, face.Size);
        float uy = (py - face.Cy) / face.Ry, uy2 = uy * uy;
        int width = row.Length / 3;
        for (int x = 0; x < width; x++)
        {
            float px = x + 0.5f;
            var color = Background(id, ref stripes);
            float ux = (px - face.Cx) / face.Rx;
            float e2 = ux * ux + uy2;
            float faceCov = e2 <= face.InnerEdge2 ? 1f : e2 >= face.OuterEdge2 ? 0f : Coverage((MathF.Sqrt(e2) - 1f) * face.Rmin);
            if (faceCov > 0f)
            {
                var skin = FacePixel(px, py, e2, face, rows, id, p);
                color.R += (skin.R - color.R) * faceCov;
                color.G += (skin.G - color.G) * faceCov;
                color.B += (skin.B - color.B) * faceCov;
            }
            WritePixel(row, x, color, px / face.Size, id, ref noise);
        }
    }

    /// <summary>The background: the base colour plus the stripe pattern, stepping the stripes one pixel on.</summary>
    private static Rgb Background(in FaceIdentity id, ref Stripes stripes)
    {
        float stripe = id.BackgroundPattern * stripes.Next();
        return new Rgb(id.Background.R + stripe, id.Background.G + stripe, id.Background.B + stripe);
    }

    /// <summary>The face's colour at a pixel: shaded skin with each feature whose rows include the pixel drawn over it.</summary>
    private static Rgb FacePixel(float px, float py, float e2, in FaceLayout face, in RowFeatures rows, in FaceIdentity id, in FaceParameters p)
    {
        float shade = 1f - 0.18f * e2 * e2;
        var c = new Rgb(id.Skin.R * shade, id.Skin.G * shade, id.Skin.B * shade);
        float side = px < face.Cx ? -1f : 1f;
        if (rows.Eye) DrawEye(ref c, px, py, side, face, id);
        if (rows.Brow) DrawBrow(ref c, px, py, side, face, id);
        if (rows.Nostril) DrawNostril(ref c, px, py, side, face);
        if (rows.Wrinkle) DrawNoseWrinkles(ref c, px, py, face, p);
        if (rows.Fold) DrawFurrow(ref c, px, py, face, p);
        if (rows.Mouth) DrawMouth(ref c, px, py, face, id);
        return c;
    }

    /// <summary>The nearer eye: sclera, iris and pupil.</summary>
    private static void DrawEye(ref Rgb c, float px, float py, float side, in FaceLayout f, in FaceIdentity id)
    {
        float ex = f.Cx + side * FaceGeometry.EyeX * f.Rx;
        if (MathF.Abs(px - ex) >= f.EyeHalfW + 2f) return;
        float eyeCov = EllipseCoverage(px - ex, py - f.EyeY, f.EyeHalfW, f.EyeHalfH);
        if (eyeCov <= 0f) return;
        float dist = MathF.Sqrt((px - ex) * (px - ex) + (py - f.EyeY) * (py - f.EyeY));
        c.Blend(White, eyeCov);
        c.Blend(id.Iris, Coverage(dist - f.IrisR) * eyeCov);
        c.Blend(Pupil, Coverage(dist - f.PupilR) * eyeCov);
    }

    /// <summary>The nearer brow: t = -1 at the inner end, +1 at the outer end; frowning lowers the inner end.</summary>
    private static void DrawBrow(ref Rgb c, float px, float py, float side, in FaceLayout f, in FaceIdentity id)
    {
        float bx = f.Cx + side * FaceGeometry.EyeX * f.Rx;
        float t = (px - bx) / f.BrowHalf * side;
        if (!(t > -1.3f && t < 1.3f)) return;
        float by = f.BrowY - f.Frown * t - 0.02f * f.Ry * (1f - t * t);
        float cov = Coverage(MathF.Abs(py - by) - f.BrowThick * 0.5f) * Coverage((MathF.Abs(t) - 1f) * f.BrowHalf);
        c.Blend(id.Brow, cov);
    }

    /// <summary>The nearer nostril.</summary>
    private static void DrawNostril(ref Rgb c, float px, float py, float side, in FaceLayout f)
    {
        float nx = f.Cx + side * FaceGeometry.NostrilX * f.Rx, nrx = FaceGeometry.NostrilRx * f.Rx;
        if (MathF.Abs(px - nx) < nrx + 2f)
            c.Blend(f.SkinDark, EllipseCoverage(px - nx, py - f.NostrilY, nrx, f.NostrilRy) * 0.9f);
    }

    /// <summary>Nose wrinkles (disgust): three short horizontal lines across the bridge.</summary>
    private static void DrawNoseWrinkles(ref Rgb c, float px, float py, in FaceLayout f, in FaceParameters p)
    {
        if (!(MathF.Abs(px - f.Cx) < f.WrinkleLen + 1f)) return;
        float endCov = Coverage(MathF.Abs(px - f.Cx) - f.WrinkleLen);
        for (int k = 0; k < 3; k++)
        {
            float wy = f.WrinkleTopY + k * FaceGeometry.WrinkleSpacing * f.Ry;
            float cov = Coverage(MathF.Abs(py - wy) - f.WrinkleHalf) * endCov * p.NoseWrinkle;
            c.Blend(f.SkinDark, cov);
        }
    }

    /// <summary>The nasolabial furrow (disgust) on the pixel's side: distance to a segment.</summary>
    private static void DrawFurrow(ref Rgb c, float px, float py, in FaceLayout f, in FaceParameters p)
    {
        float qx = MathF.Abs(px - f.Cx) - FaceGeometry.FoldTopX * f.Rx, qy = py - f.FoldTopY;
        float t = Math.Clamp((qx * f.FoldDx + qy * f.FoldDy) / f.FoldLength2, 0f, 1f);
        float dx = qx - t * f.FoldDx, dy = qy - t * f.FoldDy;
        float cov = Coverage(MathF.Sqrt(dx * dx + dy * dy) - f.FoldHalf) * p.NoseWrinkle * 0.85f;
        c.Blend(f.SkinDark, cov);
    }

    /// <summary>The mouth: upper lip line y = mouthY - curve * (d^2 - 0.3), open interior below it, then both lips.</summary>
    private static void DrawMouth(ref Rgb c, float px, float py, in FaceLayout f, in FaceIdentity id)
    {
        float d = (px - f.Cx) / f.MouthHalfW;
        if (!(d > -1.2f && d < 1.2f)) return;
        float endCov = Coverage((MathF.Abs(d) - 1f) * f.MouthHalfW);
        float d2 = Math.Min(d * d, 1f);
        float upper = f.MouthY - f.Curve * (d2 - 0.3f);
        float h = f.Open * (1f - d2);
        float lower = upper + h;
        float inside = h > 0.5f ? Coverage(upper - py) * Coverage(py - lower) : 0f;
        c.Blend(MouthInside, inside * endCov);
        float lipCov = Math.Max(Coverage(MathF.Abs(py - upper) - f.LipHalf), Coverage(MathF.Abs(py - lower) - f.LipHalf));
        c.Blend(id.Lips, lipCov * endCov);
    }

    /// <summary>Lighting (brightness with a left-to-right gradient) and per-pixel noise, then the bytes.</summary>
    private static void WritePixel(Span<byte> row, int x, in Rgb c, float relativeX, in FaceIdentity id, ref FrameRandom noise)
    {
        float light = id.Brightness * (1f + id.LightGradient * (relativeX - 0.5f));
        ulong bits = noise.NextUInt64();
        float nr = ((bits & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
        float ng = (((bits >> 16) & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
        float nb = (((bits >> 32) & 0xFFFF) / 65535f - 0.5f) * 2f * id.NoiseLevel;
        int o = x * 3;
        row[o] = ToByte(c.R * light + nr);
        row[o + 1] = ToByte(c.G * light + ng);
        row[o + 2] = ToByte(c.B * light + nb);
    }

    private static readonly (float R, float G, float B) White = (235f, 235f, 228f);
    private static readonly (float R, float G, float B) Pupil = (15f, 12f, 12f);
    private static readonly (float R, float G, float B) MouthInside = (70f, 20f, 25f);

    /// <summary>A colour being composed, in grey levels.</summary>
    private struct Rgb(float r, float g, float b)
    {
        public float R = r, G = g, B = b;

        /// <summary>Moves the colour towards <paramref name="c"/> by <paramref name="alpha"/> (0 leaves it unchanged).</summary>
        public void Blend((float R, float G, float B) c, float alpha)
        {
            if (alpha <= 0f) return;
            R += (c.R - R) * alpha;
            G += (c.G - G) * alpha;
            B += (c.B - B) * alpha;
        }
    }

    /// <summary>The background stripes sin(phase0 + x * step) along a row, advanced by the angle-addition recurrence (no sine per pixel).</summary>
    private struct Stripes
    {
        private float _sin, _cos;
        private readonly float _sinStep, _cosStep;

        public Stripes(in FaceIdentity id, float py, float size)
        {
            float cosA = MathF.Cos(id.PatternAngle), sinA = MathF.Sin(id.PatternAngle);
            float freq = 2f * MathF.PI * id.PatternFrequency / size;
            float phase0 = (0.5f * cosA + py * sinA) * freq, step = cosA * freq;
            _sin = MathF.Sin(phase0);
            _cos = MathF.Cos(phase0);
            _sinStep = MathF.Sin(step);
            _cosStep = MathF.Cos(step);
        }

        /// <summary>The stripe value at the current pixel; moves to the next.</summary>
        public float Next()
        {
            float value = _sin;
            (_sin, _cos) = (_sin * _cosStep + _cos * _sinStep, _cos * _cosStep - _sin * _sinStep);
            return value;
        }
    }

    /// <summary>The face and its features in pixels of one frame.</summary>
    private readonly struct FaceLayout
    {
        public readonly float Size, Cx, Cy, Rx, Ry, Rmin, InnerEdge2, OuterEdge2;
        public readonly float EyeHalfH, EyeHalfW, EyeY, IrisR, PupilR;
        public readonly float BrowY, BrowHalf, BrowThick, Frown;
        public readonly float MouthY, MouthHalfW, Curve, Open, LipHalf;
        public readonly float WrinkleHalf, WrinkleLen, WrinkleTopY, WrinkleBottomY;
        public readonly float NostrilY, NostrilRy;
        public readonly float FoldTopY, FoldBottomY, FoldHalf, FoldDx, FoldDy, FoldLength2;
        public readonly (float R, float G, float B) SkinDark;

        public FaceLayout(int size, in FaceIdentity id, in FaceParameters p, float shiftX, float shiftY)
        {
            float S = Size = size;
            Cx = (FaceGeometry.CenterX + id.OffsetX + shiftX) * S;
            Cy = (FaceGeometry.CenterY + id.OffsetY + shiftY) * S;
            Rx = FaceGeometry.RadiusX * id.Scale * S;
            Ry = FaceGeometry.RadiusY * id.Scale * S;
            Rmin = Math.Min(Rx, Ry);
            // Coverage of the face's edge is computed only between these squared radii (a 1.5-pixel band).
            InnerEdge2 = Square(Math.Max(0f, 1f - 1.5f / Rmin));
            OuterEdge2 = Square(1f + 1.5f / Rmin);

            EyeHalfH = FaceGeometry.EyeHalfHeight * (1f + FaceGeometry.EyeWiden * p.EyeWidening) * Ry;
            EyeHalfW = FaceGeometry.EyeHalfWidth * Rx;
            EyeY = Cy + FaceGeometry.EyeY * Ry;
            IrisR = Math.Min(FaceGeometry.IrisRadius * Rx, EyeHalfH * 1.1f);
            PupilR = FaceGeometry.PupilRadius * Rx;
            BrowY = Cy + (FaceGeometry.BrowY - FaceGeometry.BrowRaise * p.EyeWidening) * Ry;
            BrowHalf = FaceGeometry.BrowHalfLength * Rx;
            BrowThick = FaceGeometry.BrowThickness * Ry;
            Frown = FaceGeometry.BrowFrownAmplitude * p.BrowFrown * Ry;
            MouthY = Cy + FaceGeometry.MouthY * Ry;
            MouthHalfW = FaceGeometry.MouthHalfWidth * (1f - FaceGeometry.MouthNarrowing * p.MouthOpening) * Rx;
            Curve = FaceGeometry.MouthCurveAmplitude * p.MouthCurvature * Ry;
            Open = FaceGeometry.MouthOpenAmplitude * p.MouthOpening * Ry;
            LipHalf = FaceGeometry.LipThickness * Ry * 0.5f;
            WrinkleHalf = FaceGeometry.WrinkleThickness * Ry * 0.5f;
            WrinkleLen = FaceGeometry.WrinkleHalfLength * Rx;
            NostrilY = Cy + FaceGeometry.NostrilY * Ry;
            NostrilRy = FaceGeometry.NostrilRy * Ry;
            WrinkleTopY = Cy + FaceGeometry.WrinkleTop * Ry;
            WrinkleBottomY = WrinkleTopY + 2 * FaceGeometry.WrinkleSpacing * Ry;
            FoldTopY = Cy + FaceGeometry.FoldTopY * Ry;
            FoldBottomY = Cy + FaceGeometry.FoldBottomY * Ry;
            FoldHalf = FaceGeometry.FoldThickness * Ry * 0.5f;
            FoldDx = (FaceGeometry.FoldBottomX - FaceGeometry.FoldTopX) * Rx;
            FoldDy = FoldBottomY - FoldTopY;
            FoldLength2 = FoldDx * FoldDx + FoldDy * FoldDy;
            SkinDark = (id.Skin.R * 0.55f, id.Skin.G * 0.5f, id.Skin.B * 0.5f);
        }
    }

    /// <summary>Which features can touch a row (each with a 2-pixel margin): the others are not evaluated there.</summary>
    private readonly struct RowFeatures(in FaceLayout f, in FaceParameters p, float py)
    {
        public readonly bool Eye = MathF.Abs(py - f.EyeY) < f.EyeHalfH + 2f;
        public readonly bool Brow = MathF.Abs(py - f.BrowY) < f.Frown + 0.03f * f.Ry + f.BrowThick + 2f;
        public readonly bool Nostril = MathF.Abs(py - f.NostrilY) < f.NostrilRy + 2f;
        public readonly bool Wrinkle = p.NoseWrinkle > 0.01f && py > f.WrinkleTopY - f.WrinkleHalf - 2f && py < f.WrinkleBottomY + f.WrinkleHalf + 2f;
        public readonly bool Fold = p.NoseWrinkle > 0.01f && py > f.FoldTopY - f.FoldHalf - 2f && py < f.FoldBottomY + f.FoldHalf + 2f;
        public readonly bool Mouth = py > f.MouthY - (MathF.Abs(f.Curve) * 0.7f + f.LipHalf + 2f) && py < f.MouthY + (MathF.Abs(f.Curve) * 0.7f + f.LipHalf + 2f) + f.Open;
    }

    private static float Square(float v) => v * v;

    private static float Coverage(float signedDistance) => Math.Clamp(0.5f - signedDistance, 0f, 1f);

    private static float EllipseCoverage(float dx, float dy, float ax, float ay)
    {
        float q = MathF.Sqrt(dx * dx / (ax * ax) + dy * dy / (ay * ay));
        return Coverage((q - 1f) * Math.Min(ax, ay));
    }

    private static byte ToByte(float v) => v <= 0f ? (byte)0 : v >= 255f ? (byte)255 : (byte)(v + 0.5f);
}
