using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Frames;

/// <summary>A frame held in memory as an image of any pixel format; it is converted to RGB on every decode.</summary>
/// <remarks>The source keeps a reference to the image (it does not copy or dispose it); do not mutate or dispose it while in use.</remarks>
public sealed class InMemoryFrameSource : IFrameSource
{
    private readonly Image _image;

    /// <summary>Wraps an image.</summary>
    /// <param name="image">The image (any pixel format).</param>
    /// <param name="name">A name used in messages.</param>
    public InMemoryFrameSource(Image image, string name = "in-memory frame")
    {
        _image = image ?? throw new ArgumentNullException(nameof(image));
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Image<Rgb24> Decode()
    {
        lock (_image) return _image.CloneAs<Rgb24>();
    }
}
