using System.Buffers;
using System.Globalization;
using Emotion.Onnx.Models;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// Writes one RGB frame into a model's input buffer in the descriptor's layout (NCHW or NHWC, RGB, BGR or one gray channel), normalised
/// with the descriptor's mean/std, through Emotion.Preprocessing's <see cref="FramePipeline"/>. Immutable and thread-safe.
/// </summary>
internal sealed class FrameTensorWriter
{
    private readonly FramePipeline pipeline;
    private readonly OnnxModelDescriptor descriptor;
    private readonly bool? resize;

    /// <summary>Creates the writer.</summary>
    /// <param name="descriptor">How the model is fed.</param>
    /// <param name="resize">What to do with frames of another size: see <see cref="EmotionPredictorOptions.ResizeFrames"/>.</param>
    public FrameTensorWriter(OnnxModelDescriptor descriptor, bool? resize)
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

    /// <summary>Floats per frame: channels (3, or 1 for gray) x H x W.</summary>
    public int FrameLength => descriptor.Channels * descriptor.Width * descriptor.Height;

    /// <summary>Writes <paramref name="image"/> into <paramref name="destination"/> (<see cref="FrameLength"/> floats).</summary>
    /// <param name="image">The RGB face crop.</param>
    /// <param name="destination">The frame's slot in the input buffer.</param>
    /// <param name="frameName">How to name the frame in errors (for example <c>frame 12</c>).</param>
    /// <param name="faceBox">A face box in the image's pixel coordinates: the image is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The frame is not the model's size, no face box is given and resizing is off.</exception>
    public void Write(Image<Rgb24> image, Span<float> destination, string frameName, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        RgbFrame frame;
        if (faceBox is { } box) frame = pipeline.Prepare(image, box);
        else
        {
            CheckSize(image, frameName);
            frame = image.Width == descriptor.Width && image.Height == descriptor.Height
                ? RgbFrame.FromImage(image)
                : pipeline.Prepare(image);
        }

        if (descriptor.Layout == OnnxInputLayout.Nchw && descriptor.ColorOrder == ColorOrder.Rgb)
        {
            pipeline.Write(frame, FrameAugmentation.None, destination);
            return;
        }
        int rgbLength = 3 * descriptor.Width * descriptor.Height;
        float[] rented = ArrayPool<float>.Shared.Rent(rgbLength);
        try
        {
            var chw = rented.AsSpan(0, rgbLength);
            pipeline.Write(frame, FrameAugmentation.None, chw);
            Rearrange(chw, destination[..FrameLength]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Throws when an image of this size cannot be fed to the model (see <see cref="Plan"/>).</summary>
    /// <exception cref="ArgumentException">The image has a size the options refuse; the message names it, both sizes and the option.</exception>
    public void CheckSize(Image image, string frameName) => Plan(image.Width, image.Height, frameName);

    /// <summary>How a frame of <paramref name="width"/> x <paramref name="height"/> pixels reaches the model's input size.</summary>
    /// <exception cref="ArgumentException">The options refuse that size; the message names the frame, both sizes and the option that changes it.</exception>
    public FrameResize Plan(int width, int height, string frameName)
    {
        int w = descriptor.Width, h = descriptor.Height;
        if (width == w && height == h) return FrameResize.None;
        bool sameShape = Math.Abs((long)width * h - (long)height * w) <= 0.01 * height * w;
        if (resize == true) return sameShape ? FrameResize.Scale : FrameResize.Stretch;
        if (resize is null && sameShape) return FrameResize.Scale;
        string what = $"{Capitalise(frameName)} is {width}x{height} pixels; the model expects {w}x{h} RGB face crops";
        throw new ArgumentException(resize is null
            ? $"{what}, and resizing it would stretch the face (aspect ratio {((double)width / height).ToString("0.###", CultureInfo.InvariantCulture)} against {((double)w / h).ToString("0.###", CultureInfo.InvariantCulture)}). " +
              "Crop it to the face first (pass a FaceBox), or set ResizeFrames = true (EmotionPredictorOptions, or EmotionRecognitionOptions " +
              "with dependency injection) to stretch it."
            : $"{what}, and ResizeFrames is false. Crop and resize the frames first, or leave ResizeFrames unset (null: frames of the model's " +
              "aspect ratio are resized) or set it to true (every frame is resized).", "image");
    }

    // CHW RGB -> the descriptor's layout and channel order.
    private void Rearrange(ReadOnlySpan<float> chw, Span<float> destination)
    {
        int plane = descriptor.Width * descriptor.Height;
        bool bgr = descriptor.ColorOrder == ColorOrder.Bgr;
        var r = chw[..plane];
        var g = chw.Slice(plane, plane);
        var b = chw.Slice(2 * plane, plane);
        if (descriptor.ColorOrder == ColorOrder.Gray)
        {
            // Luminance of the normalised channels: equal to the normalised luminance, since the three colours share one
            // mean and std (OnnxModelDescriptor.Validate) and the BT.601 weights sum to 1. NCHW and NHWC agree for one channel.
            for (int i = 0; i < plane; i++) destination[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
            return;
        }
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
