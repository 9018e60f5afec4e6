using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Frames;

/// <summary>A frame held in memory as encoded bytes (for example a JPEG received over the network).</summary>
public sealed class EncodedFrameSource : IFrameSource
{
    private readonly ReadOnlyMemory<byte> _encoded;

    /// <summary>Wraps encoded bytes (not copied; do not modify them while in use).</summary>
    /// <param name="encoded">JPEG, PNG or another format ImageSharp reads.</param>
    /// <param name="name">A name used in error messages.</param>
    public EncodedFrameSource(ReadOnlyMemory<byte> encoded, string name = "encoded frame")
    {
        _encoded = encoded;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Image<Rgb24> Decode() => FrameDecoder.Decode(_encoded.Span, Name);
}
