using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Preprocessing.Frames;

/// <summary>
/// Decodes JPEG and PNG frames (and any other format ImageSharp reads) into 8-bit RGB, whatever the stored pixel
/// format: grayscale, grayscale+alpha, RGBA (alpha is dropped, not blended), 16-bit channels (scaled to 8 bits) and
/// CMYK/YCCK JPEG are all converted by ImageSharp's decoder to <see cref="Rgb24"/>.
/// </summary>
public static class FrameDecoder
{
    /// <summary>
    /// The ImageSharp configuration used for decoding and resizing frames: the default formats, single-threaded per
    /// image, because the batch loader already decodes several frames in parallel (nested parallelism on small frames
    /// only adds overhead).
    /// </summary>
    public static Configuration Configuration { get; } = CreateConfiguration();

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        return configuration;
    }

    /// <summary>Decodes an image file into RGB.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="FrameDecodeException">The file is missing, unreadable, empty, truncated or damaged (see
    /// <see cref="ImageIntegrity"/>), or not a decodable image; the message names it and says which.</exception>
    public static Image<Rgb24> Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (ImageIntegrity.Check(bytes) is { } problem) throw new FrameDecodeException(path, problem);
            return Image.Load<Rgb24>(Configuration, bytes);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException
                                       or (IOException and not FrameDecodeException) or UnauthorizedAccessException or NotSupportedException)
        {
            throw new FrameDecodeException(path, ex is FileNotFoundException or DirectoryNotFoundException
                ? "the file does not exist." : $"not a readable image ({ex.Message}).", ex);
        }
    }

    /// <summary>Decodes an encoded image held in memory into RGB.</summary>
    /// <param name="encoded">The encoded bytes (JPEG, PNG, ...).</param>
    /// <param name="name">A name used in error messages.</param>
    /// <exception cref="FrameDecodeException">The bytes are empty, truncated, damaged or not a decodable image.</exception>
    public static Image<Rgb24> Decode(ReadOnlySpan<byte> encoded, string name)
    {
        if (ImageIntegrity.Check(encoded) is { } problem) throw new FrameDecodeException(name, problem);
        try
        {
            return Image.Load<Rgb24>(Configuration, encoded);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw new FrameDecodeException(name, $"not a readable image ({ex.Message}).", ex);
        }
    }
}
