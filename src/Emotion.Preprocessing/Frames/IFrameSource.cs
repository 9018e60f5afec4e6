using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Frames;

/// <summary>Where one frame's pixels come from: a file, encoded bytes, or an image in memory.</summary>
/// <remarks>Implementations must be thread-safe: the batch loader decodes frames on several threads.</remarks>
public interface IFrameSource
{
    /// <summary>A human-readable name (the file path for files) used in error messages.</summary>
    string Name { get; }

    /// <summary>Returns a new RGB image the caller owns and disposes.</summary>
    /// <exception cref="FrameDecodeException">The frame cannot be read.</exception>
    Image<Rgb24> Decode();
}
