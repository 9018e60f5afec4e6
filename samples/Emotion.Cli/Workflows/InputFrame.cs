using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Cli.Workflows;

/// <summary>One frame handed to prediction: an image file, a frame of a folder, or a decoded video frame.</summary>
/// <param name="Number">The frame's 1-based number (the file name in a frame folder, the decoding position in a video).</param>
/// <param name="TimeSeconds">The frame's timestamp for video input; null for images and frame folders.</param>
/// <param name="Image">The RGB pixels, valid until the enumeration moves on (the source reuses or disposes it).</param>
public sealed record InputFrame(int Number, double? TimeSeconds, Image<Rgb24> Image);
