using System.Buffers;
using Emotion.Onnx.Models;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Onnx;

/// <summary>
/// Writes one RGB frame into a model's input buffer in the descriptor's layout (NCHW or NHWC, RGB or BGR), normalised
/// with the descriptor's mean/std, through Emotion.Preprocessing's <see cref="FramePipeline"/>. Immutable and thread-safe.
/// </summary>
internal sealed class FrameTensorWriter
{
    private readonly FramePipeline pipeline;
    private readonly OnnxModelDescriptor descriptor;
    private readonly bool resize;

    public FrameTensorWriter(OnnxModelDescriptor descriptor, bool resize)
    {
        this.descriptor = descriptor;
        this.resize = resize;
        pipeline = new FramePipeline(new FrameTransformOptions
        {
            Width = descriptor.Width,
            Height = descriptor.Height,
            Resize = ResizeMode.Exact,
            Normalization = descriptor.Normalization,
        });
    }

    /// <summary>Floats per frame: 3 x H x W.</summary>
    public int FrameLength => 3 * descriptor.Width * descriptor.Height;

    /// <summary>Writes <paramref name="image"/> into <paramref name="destination"/> (<see cref="FrameLength"/> floats).</summary>
    /// <param name="image">The RGB face crop.</param>
    /// <param name="destination">The frame's slot in the input buffer.</param>
    /// <param name="frameName">How to name the frame in errors (for example <c>frame 12</c>).</param>
    /// <exception cref="ArgumentException">The frame is not the model's size and resizing is off.</exception>
    public void Write(Image<Rgb24> image, Span<float> destination, string frameName)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = descriptor.Width, h = descriptor.Height;
        RgbFrame frame;
        if (image.Width == w && image.Height == h) frame = RgbFrame.FromImage(image);
        else if (resize) frame = pipeline.Prepare(image);
        else
            throw new ArgumentException(
                $"{Capitalise(frameName)} is {image.Width}x{image.Height} pixels; the model expects {w}x{h} RGB face crops. " +
                "Crop and resize the frames first, or set EmotionPredictorOptions.ResizeFrames to resize them.", nameof(image));

        if (descriptor.Layout == OnnxInputLayout.Nchw && descriptor.ColorOrder == ColorOrder.Rgb)
        {
            pipeline.Write(frame, FrameAugmentation.None, destination);
            return;
        }
        float[] rented = ArrayPool<float>.Shared.Rent(FrameLength);
        try
        {
            var chw = rented.AsSpan(0, FrameLength);
            pipeline.Write(frame, FrameAugmentation.None, chw);
            Rearrange(chw, destination[..FrameLength]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    // CHW RGB -> the descriptor's layout and channel order.
    private void Rearrange(ReadOnlySpan<float> chw, Span<float> destination)
    {
        int plane = descriptor.Width * descriptor.Height;
        bool bgr = descriptor.ColorOrder == ColorOrder.Bgr;
        var r = chw[..plane];
        var g = chw.Slice(plane, plane);
        var b = chw.Slice(2 * plane, plane);
        var first = bgr ? b : r;
        var third = bgr ? r : b;
        if (descriptor.Layout == OnnxInputLayout.Nchw)
        {
            first.CopyTo(destination[..plane]);
            g.CopyTo(destination.Slice(plane, plane));
            third.CopyTo(destination.Slice(2 * plane, plane));
            return;
        }
        for (int i = 0, d = 0; i < plane; i++, d += 3)
        {
            destination[d] = first[i];
            destination[d + 1] = g[i];
            destination[d + 2] = third[i];
        }
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
