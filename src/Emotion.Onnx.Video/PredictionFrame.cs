using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Onnx.Video;

/// <summary>One frame handed to video prediction: a decoded video frame, a frame of a folder, or an image.</summary>
/// <param name="Number">The frame's 1-based number (the decoding position in a video, the file name in a frame folder).</param>
/// <param name="TimeSeconds">The frame's timestamp in seconds for video input; null for images and frame folders.</param>
/// <param name="Image">The RGB pixels; only read, and only until the next frame is requested (sources may reuse it).</param>
public sealed record PredictionFrame(int Number, double? TimeSeconds, Image<Rgb24> Image);
