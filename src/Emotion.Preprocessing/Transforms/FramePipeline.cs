using System.Runtime.InteropServices;
using Emotion.Preprocessing.Frames;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// The per-frame preprocessing pipeline, in two stages so that the deterministic part can be cached:
/// <list type="number">
/// <item><see cref="Prepare(IFrameSource, FaceBox?)"/>: one decode, optional face crop, one resize (bilinear) into an <see cref="RgbFrame"/> of bytes;</item>
/// <item><see cref="Write"/>: one pass over the output window that reads bytes, applies crop offset, flip and colour
/// jitter, and writes normalised CHW floats into the destination span. Without colour jitter each channel uses a
/// precomputed 256-entry table of <c>(v / 255 - mean) / std</c>, i.e. a per-channel scale and offset.</item>
/// </list>
/// The pipeline is immutable and thread-safe.
/// </summary>
public sealed class FramePipeline
{
    private const float Inv255 = 1f / 255f;
    private readonly PixelTensorWriter _pixels;
    private readonly float _scaleR, _scaleG, _scaleB, _offsetR, _offsetG, _offsetB;

    /// <summary>Creates a pipeline.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid; the message names the option.</exception>
    public FramePipeline(FrameTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        var n = options.Normalization;
        _scaleR = 1f / n.Std.R; _offsetR = -n.Mean.R / n.Std.R;
        _scaleG = 1f / n.Std.G; _offsetG = -n.Mean.G / n.Std.G;
        _scaleB = 1f / n.Std.B; _offsetB = -n.Mean.B / n.Std.B;
        _pixels = PixelTensorWriter.Normalizing(n);
    }

    /// <summary>The options.</summary>
    public FrameTransformOptions Options { get; }

    /// <summary>The pixels-to-floats writer of this pipeline's normalisation (the table <see cref="Write"/> uses without jitter).</summary>
    public PixelTensorWriter Pixels => _pixels;

    /// <summary>Floats written per frame: 3 x H x W.</summary>
    public int FrameLength => Options.FrameLength;

    /// <summary>Decodes a frame, crops it to the face box (if any) and resizes it.</summary>
    /// <param name="source">The frame.</param>
    /// <param name="faceBox">An optional face box in the source image's pixel coordinates.</param>
    /// <exception cref="FrameDecodeException">The frame cannot be decoded.</exception>
    public RgbFrame Prepare(IFrameSource source, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var image = source.Decode();
        ApplyGeometry(image, faceBox);
        return RgbFrame.FromImage(image);
    }

    /// <summary>Crops (face box) and resizes a copy of an RGB image; the image itself is not changed.</summary>
    /// <param name="image">The image.</param>
    /// <param name="faceBox">An optional face box in the image's pixel coordinates.</param>
    public RgbFrame Prepare(Image<Rgb24> image, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var copy = image.Clone();
        ApplyGeometry(copy, faceBox);
        return RgbFrame.FromImage(copy);
    }

    /// <summary>The size an image of <paramref name="width"/> x <paramref name="height"/> (after the face crop) is resized to.</summary>
    public Size ResizedSize(int width, int height)
    {
        var o = Options;
        if (o.Resize == ResizeMode.Exact)
            return new Size(o.ResizeWidth ?? o.Width, o.ResizeHeight ?? o.Height);
        int shorter = o.ResizeShorterSide ?? Math.Max(o.Width, o.Height);
        if (width <= height)
            return new Size(shorter, Math.Max(shorter, (int)Math.Round((double)height * shorter / width)));
        return new Size(Math.Max(shorter, (int)Math.Round((double)width * shorter / height)), shorter);
    }

    /// <summary>Draws the random choices of one frame (crop position, flip, colour factors) from its generator.</summary>
    /// <param name="random">The frame's generator, e.g. <see cref="FrameRandom.For"/>.</param>
    /// <returns><see cref="FrameAugmentation.None"/> when the options configure no augmentation.</returns>
    public FrameAugmentation SampleAugmentation(ref FrameRandom random)
    {
        var o = Options;
        if (!o.HasAugmentation) return FrameAugmentation.None;
        float cropX = 0.5f, cropY = 0.5f;
        if (o.Crop == CropMode.Random)
        {
            cropX = random.NextFloat();
            cropY = random.NextFloat();
        }
        bool flip = o.HorizontalFlipProbability > 0f && random.NextFloat() < o.HorizontalFlipProbability;
        var j = o.Jitter;
        float b = Factor(ref random, j.Brightness), c = Factor(ref random, j.Contrast), s = Factor(ref random, j.Saturation);
        return new FrameAugmentation(cropX, cropY, flip, b, c, s);
    }

    /// <summary>The random choices of a frame keyed by (seed, epoch, video id, frame number); independent of thread scheduling.</summary>
    public FrameAugmentation SampleAugmentation(long seed, int epoch, string videoId, int frameNumber)
    {
        var random = FrameRandom.For(seed, epoch, videoId, frameNumber);
        return SampleAugmentation(ref random);
    }

    /// <summary>
    /// Writes a prepared frame as normalised CHW floats <c>[3, H, W]</c>: takes the output window (centre, or at the
    /// augmentation's crop position for <see cref="CropMode.Random"/>), mirrors it if requested, applies the colour
    /// factors, and normalises.
    /// </summary>
    /// <param name="frame">The prepared frame; at least the output size.</param>
    /// <param name="augmentation">The frame's random choices (<see cref="FrameAugmentation.None"/> for evaluation).</param>
    /// <param name="destination">At least <see cref="FrameLength"/> floats (for instance <c>SequenceBatch.Frame(b, t)</c>).</param>
    /// <exception cref="ArgumentException">The frame is smaller than the output or the destination is too short.</exception>
    public void Write(RgbFrame frame, in FrameAugmentation augmentation, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var o = Options;
        int w = o.Width, h = o.Height, plane = w * h;
        if (frame.Width < w || frame.Height < h)
            throw new ArgumentException($"The prepared frame is {frame.Width}x{frame.Height}, smaller than the output {w}x{h}; prepare it with the same pipeline.", nameof(frame));
        if (destination.Length < 3 * plane)
            throw new ArgumentException($"The destination holds {destination.Length} floats; a {w}x{h} frame needs {3 * plane}.", nameof(destination));
        int freeX = frame.Width - w, freeY = frame.Height - h;
        int ox, oy;
        if (o.Crop == CropMode.Random)
        {
            ox = Math.Min((int)(augmentation.CropX * (freeX + 1)), freeX);
            oy = Math.Min((int)(augmentation.CropY * (freeY + 1)), freeY);
        }
        else
        {
            ox = freeX / 2;
            oy = freeY / 2;
        }
        var dR = destination[..plane];
        var dG = destination.Slice(plane, plane);
        var dB = destination.Slice(2 * plane, plane);
        ReadOnlySpan<byte> pixels = frame.Pixels;
        int stride = frame.Width * 3;
        if (!augmentation.HasColorChange)
            WritePlain(pixels, stride, ox, oy, w, h, augmentation.Flip, dR, dG, dB);
        else
            WriteJittered(pixels, stride, ox, oy, w, h, augmentation, dR, dG, dB);
    }

    /// <summary>The evaluation path for one frame: decode, face crop, resize, centre crop, normalise into <paramref name="destination"/>.</summary>
    /// <exception cref="FrameDecodeException">The frame cannot be decoded.</exception>
    public void ProcessForEvaluation(IFrameSource source, Span<float> destination, FaceBox? faceBox = null) =>
        Write(Prepare(source, faceBox), FrameAugmentation.None, destination);

    /// <summary>
    /// The evaluation path for an image in memory (not modified): the same floats as <see cref="Write"/> of
    /// <see cref="Prepare(Image{Rgb24}, FaceBox?)"/>, without the intermediate copies. An image that needs no crop or
    /// resize is read in place, row by row; otherwise only the face region is copied (ImageSharp's crop) and resized.
    /// </summary>
    public void ProcessForEvaluation(Image<Rgb24> image, Span<float> destination, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var prepared = CropAndResize(image, faceBox);
        var source = prepared ?? image;
        int w = Options.Width, h = Options.Height, plane = w * h;
        if (source.Width < w || source.Height < h)
            throw new ArgumentException($"The prepared image is {source.Width}x{source.Height}, smaller than the output {w}x{h}.", nameof(image));
        if (destination.Length < 3 * plane)
            throw new ArgumentException($"The destination holds {destination.Length} floats; a {w}x{h} frame needs {3 * plane}.", nameof(destination));
        int ox = (source.Width - w) / 2, oy = (source.Height - h) / 2; // the centred window (ResizeMode.ShorterSide)
        for (int y = 0; y < h; y++)
        {
            int d = y * w;
            _pixels.WritePlanar(source.DangerousGetPixelRowMemory(oy + y).Span.Slice(ox, w),
                destination.Slice(d, w), destination.Slice(plane + d, w), destination.Slice(2 * plane + d, w));
        }
    }

    /// <summary>
    /// Crops (face box) and resizes <paramref name="image"/> as <see cref="Prepare(Image{Rgb24}, FaceBox?)"/> does, into a
    /// new image that holds only the face region (the image is not copied whole); returns null when the image needs neither
    /// (then read the image itself).
    /// </summary>
    /// <param name="image">The image (not modified).</param>
    /// <param name="faceBox">An optional face box in the image's pixel coordinates.</param>
    public Image<Rgb24>? CropAndResize(Image<Rgb24> image, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (crop, target, needsCrop, needsResize) = Geometry(image.Width, image.Height, faceBox);
        if (!needsCrop && !needsResize) return null;
        return image.Clone(ctx =>
        {
            if (needsCrop) ctx.Crop(crop!.Value);
            if (needsResize) ctx.Resize(target.Width, target.Height, KnownResamplers.Triangle);
        });
    }

    /// <summary>Normalises one byte value of a channel exactly as <see cref="Write"/> does without jitter.</summary>
    public float Normalize(int channel, byte value) => _pixels.Normalize(channel, value);

    private (Rectangle? Crop, Size Target, bool NeedsCrop, bool NeedsResize) Geometry(int width, int height, FaceBox? faceBox)
    {
        Rectangle? crop = faceBox is { } box ? box.ClampTo(width, height, Options.FaceBoxMargin) : null;
        int cw = crop?.Width ?? width, ch = crop?.Height ?? height;
        var target = ResizedSize(cw, ch);
        bool needsCrop = crop is { } r && (r.Width != width || r.Height != height);
        bool needsResize = target.Width != cw || target.Height != ch;
        return (crop, target, needsCrop, needsResize);
    }

    private void ApplyGeometry(Image<Rgb24> image, FaceBox? faceBox)
    {
        var (crop, target, needsCrop, needsResize) = Geometry(image.Width, image.Height, faceBox);
        if (!needsCrop && !needsResize) return;
        image.Mutate(ctx =>
        {
            if (needsCrop) ctx.Crop(crop!.Value);
            if (needsResize) ctx.Resize(target.Width, target.Height, KnownResamplers.Triangle);
        });
    }

    private void WritePlain(ReadOnlySpan<byte> pixels, int stride, int ox, int oy, int w, int h, bool flip,
        Span<float> dR, Span<float> dG, Span<float> dB)
    {
        for (int y = 0; y < h; y++)
        {
            var row = MemoryMarshal.Cast<byte, Rgb24>(pixels.Slice((oy + y) * stride + ox * 3, w * 3));
            int d = y * w;
            _pixels.WritePlanar(row, dR.Slice(d, w), dG.Slice(d, w), dB.Slice(d, w), flip);
        }
    }

    private void WriteJittered(ReadOnlySpan<byte> pixels, int stride, int ox, int oy, int w, int h, in FrameAugmentation a,
        Span<float> dR, Span<float> dG, Span<float> dB)
    {
        const float gr = 0.2989f, gg = 0.587f, gb = 0.114f;
        float bf = a.Brightness * Inv255, cf = a.Contrast, sf = a.Saturation;
        float mean = 0f;
        if (cf != 1f)
        {
            // Contrast blends with the mean grey level of the brightness-adjusted window (torchvision semantics).
            double sum = 0;
            for (int y = 0; y < h; y++)
            {
                var row = pixels.Slice((oy + y) * stride + ox * 3, w * 3);
                for (int s = 0; s < row.Length; s += 3)
                    sum += gr * Clamp01(row[s] * bf) + gg * Clamp01(row[s + 1] * bf) + gb * Clamp01(row[s + 2] * bf);
            }
            mean = (float)(sum / (w * h));
        }
        float cOff = (1f - cf) * mean;
        for (int y = 0; y < h; y++)
        {
            var row = pixels.Slice((oy + y) * stride + ox * 3, w * 3);
            int d = y * w;
            for (int x = 0; x < w; x++)
            {
                int s = (a.Flip ? w - 1 - x : x) * 3;
                float r = Clamp01(row[s] * bf), g = Clamp01(row[s + 1] * bf), b = Clamp01(row[s + 2] * bf);
                if (cf != 1f)
                {
                    r = Clamp01(r * cf + cOff);
                    g = Clamp01(g * cf + cOff);
                    b = Clamp01(b * cf + cOff);
                }
                if (sf != 1f)
                {
                    float grey = gr * r + gg * g + gb * b;
                    r = Clamp01(grey + (r - grey) * sf);
                    g = Clamp01(grey + (g - grey) * sf);
                    b = Clamp01(grey + (b - grey) * sf);
                }
                dR[d + x] = r * _scaleR + _offsetR;
                dG[d + x] = g * _scaleG + _offsetG;
                dB[d + x] = b * _scaleB + _offsetB;
            }
        }
    }

    private static float Clamp01(float v) => v < 0f ? 0f : v > 1f ? 1f : v;

    private static float Factor(ref FrameRandom random, float strength) =>
        strength == 0f ? 1f : random.NextFloat(Math.Max(0f, 1f - strength), 1f + strength);
}
