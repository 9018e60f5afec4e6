using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Video;

/// <summary>One decoded video frame.</summary>
/// <param name="FrameNumber">The frame's 1-based position among all decoded frames of the video (before sampling).</param>
/// <param name="TimeSeconds">The frame's presentation time in seconds from the start of the file.</param>
/// <param name="Image">
/// The RGB pixels. The reader reuses this image for the next frame: it is valid until the enumeration moves on, so clone
/// it (<c>Image.Clone()</c>) to keep it, and do not dispose it.
/// </param>
public sealed record DecodedFrame(int FrameNumber, double TimeSeconds, Image<Rgb24> Image);
