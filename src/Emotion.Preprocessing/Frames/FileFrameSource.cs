using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Frames;

/// <summary>A frame stored as an image file (JPEG, PNG, ...).</summary>
/// <param name="Path">The image file.</param>
public sealed record FileFrameSource(string Path) : IFrameSource
{
    /// <inheritdoc />
    public string Name => Path;

    /// <inheritdoc />
    public Image<Rgb24> Decode() => FrameDecoder.Decode(Path);
}
