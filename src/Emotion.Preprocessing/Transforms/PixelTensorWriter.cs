using Emotion.Core;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Transforms;

/// <summary>
/// The one pixels-to-tensor loop of the library: writes rows of 8-bit RGB pixels as floats into a model input, through a
/// 256-entry table per channel (<c>value = table[channel][byte]</c>), in planar (CHW) or interleaved (HWC) layout, RGB or
/// BGR, or as one luminance channel. The rows are read where they are (ImageSharp's
/// <c>DangerousGetPixelRowMemory</c>, an <see cref="RgbFrame"/>'s bytes), so no pixel copy is made on the way.
/// Used by <see cref="FramePipeline"/>, by Emotion.Onnx's predictor (every layout of an <c>OnnxModelDescriptor</c>) and
/// by Emotion.FaceDetection's detectors. Immutable and thread-safe.
/// </summary>
public sealed class PixelTensorWriter
{
    private readonly float[] table; // [3 * 256]: the float of byte v in channel c at c * 256 + v

    private PixelTensorWriter(float[] table) => this.table = table;

    /// <summary>
    /// The writer of <c>(v / 255 - mean) / std</c> per channel, computed as <c>(v * (1/255)) * (1/std) + (-mean/std)</c>
    /// (the arithmetic <see cref="FramePipeline"/> has always used, so outputs are bit-identical).
    /// </summary>
    /// <param name="normalization">The per-channel mean and standard deviation (of values in [0, 1]).</param>
    public static PixelTensorWriter Normalizing(Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        const float inv255 = 1f / 255f;
        float sR = 1f / normalization.Std.R, oR = -normalization.Mean.R / normalization.Std.R;
        float sG = 1f / normalization.Std.G, oG = -normalization.Mean.G / normalization.Std.G;
        float sB = 1f / normalization.Std.B, oB = -normalization.Mean.B / normalization.Std.B;
        var t = new float[3 * 256];
        for (int v = 0; v < 256; v++)
        {
            float x = v * inv255;
            t[v] = x * sR + oR;
            t[256 + v] = x * sG + oG;
            t[512 + v] = x * sB + oB;
        }
        return new PixelTensorWriter(t);
    }

    /// <summary>The writer of <c>v * scale + offset</c> for every channel (a detector's input convention).</summary>
    public static PixelTensorWriter Affine(float scale, float offset)
    {
        var t = new float[3 * 256];
        for (int v = 0; v < 256; v++) t[v] = t[256 + v] = t[512 + v] = v * scale + offset;
        return new PixelTensorWriter(t);
    }

    /// <summary>The float written for <paramref name="value"/> in <paramref name="channel"/> (0 red, 1 green, 2 blue).</summary>
    public float Normalize(int channel, byte value) => table[checked(channel * 256) + value];

    /// <summary>
    /// Writes one row into three planes: pixel <c>x</c> of <paramref name="row"/> goes to index <c>x</c> of
    /// <paramref name="red"/>, <paramref name="green"/> and <paramref name="blue"/> (pass the planes in the model's channel
    /// order to get RGB or BGR), mirrored when <paramref name="flip"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException">A plane is shorter than the row.</exception>
    public void WritePlanar(ReadOnlySpan<Rgb24> row, Span<float> red, Span<float> green, Span<float> blue, bool flip = false)
    {
        int w = row.Length;
        if (red.Length < w || green.Length < w || blue.Length < w)
            throw new ArgumentException($"A plane slice is shorter than the row of {w} pixels.");
        ReadOnlySpan<float> tR = table.AsSpan(0, 256), tG = table.AsSpan(256, 256), tB = table.AsSpan(512, 256);
        if (!flip)
        {
            for (int x = 0; x < w; x++)
            {
                var p = row[x];
                red[x] = tR[p.R];
                green[x] = tG[p.G];
                blue[x] = tB[p.B];
            }
            return;
        }
        for (int x = 0, s = w - 1; x < w; x++, s--)
        {
            var p = row[s];
            red[x] = tR[p.R];
            green[x] = tG[p.G];
            blue[x] = tB[p.B];
        }
    }

    /// <summary>Writes one row interleaved (<c>[x, 3]</c>, HWC): R, G, B per pixel, or B, G, R when <paramref name="bgr"/> is set.</summary>
    /// <exception cref="ArgumentException">The destination holds fewer than 3 floats per pixel.</exception>
    public void WriteInterleaved(ReadOnlySpan<Rgb24> row, Span<float> destination, bool bgr = false)
    {
        int w = row.Length;
        if (destination.Length < 3 * w)
            throw new ArgumentException($"The destination holds {destination.Length} floats; a row of {w} pixels needs {3 * w}.", nameof(destination));
        ReadOnlySpan<float> tR = table.AsSpan(0, 256), tG = table.AsSpan(256, 256), tB = table.AsSpan(512, 256);
        int first = bgr ? 2 : 0, third = bgr ? 0 : 2;
        for (int x = 0, d = 0; x < w; x++, d += 3)
        {
            var p = row[x];
            destination[d + first] = tR[p.R];
            destination[d + 1] = tG[p.G];
            destination[d + third] = tB[p.B];
        }
    }

    /// <summary>
    /// Writes one row as one channel: the BT.601 luminance of the written channels, <c>0.299 r + 0.587 g + 0.114 b</c>.
    /// With one mean and std for the three channels this equals the normalised luminance (the weights sum to 1).
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than the row.</exception>
    public void WriteLuminance(ReadOnlySpan<Rgb24> row, Span<float> destination)
    {
        int w = row.Length;
        if (destination.Length < w)
            throw new ArgumentException($"The destination holds {destination.Length} floats; a row of {w} pixels needs {w}.", nameof(destination));
        ReadOnlySpan<float> tR = table.AsSpan(0, 256), tG = table.AsSpan(256, 256), tB = table.AsSpan(512, 256);
        for (int x = 0; x < w; x++)
        {
            var p = row[x];
            destination[x] = 0.299f * tR[p.R] + 0.587f * tG[p.G] + 0.114f * tB[p.B];
        }
    }
}
