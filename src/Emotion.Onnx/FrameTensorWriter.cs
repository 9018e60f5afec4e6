using System.Globalization;
using Emotion.Onnx.Models;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// Writes one RGB frame into a model's input buffer in the descriptor's layout (NCHW or NHWC, RGB, BGR or one gray channel), normalised
/// with the descriptor's mean/std: the crop and resize of Emotion.Preprocessing's <see cref="FramePipeline"/>, then its
/// <see cref="PixelTensorWriter"/> over the image's pixel rows. Immutable and thread-safe.
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

    /// <summary>
    /// Writes <paramref name="image"/> into <paramref name="destination"/> (<see cref="FrameLength"/> floats), straight
    /// from its pixel rows when it has the model's size (no copy), otherwise from the face region cropped and resized by
    /// ImageSharp (<see cref="FramePipeline.CropAndResize"/>; only that region is copied).
    /// </summary>
    /// <param name="image">The RGB face crop.</param>
    /// <param name="destination">The frame's slot in the input buffer.</param>
    /// <param name="frameName">How to name the frame in errors (for example <c>frame 12</c>).</param>
    /// <param name="faceBox">A face box in the image's pixel coordinates: the image is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The frame is not the model's size, no face box is given and resizing is off.</exception>
    public void Write(Image<Rgb24> image, Span<float> destination, string frameName, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (destination.Length < FrameLength)
            throw new ArgumentException($"The destination holds {destination.Length} floats; {frameName} needs {FrameLength}.", nameof(destination));
        if (faceBox is null) CheckSize(image, frameName);
        using var resized = pipeline.CropAndResize(image, faceBox);
        var source = resized ?? image;
        int w = descriptor.Width, h = descriptor.Height, plane = w * h;
        var pixels = pipeline.Pixels;
        bool bgr = descriptor.ColorOrder == ColorOrder.Bgr;
        for (int y = 0; y < h; y++)
        {
            var row = source.DangerousGetPixelRowMemory(y).Span;
            int d = y * w;
            if (descriptor.ColorOrder == ColorOrder.Gray)
                pixels.WriteLuminance(row, destination.Slice(d, w)); // one channel: NCHW and NHWC agree
            else if (descriptor.Layout == OnnxInputLayout.Nhwc)
                pixels.WriteInterleaved(row, destination.Slice(3 * d, 3 * w), bgr);
            else
            {
                var red = destination.Slice((bgr ? 2 * plane : 0) + d, w);
                var blue = destination.Slice((bgr ? 0 : 2 * plane) + d, w);
                pixels.WritePlanar(row, red, destination.Slice(plane + d, w), blue);
            }
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

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
