using System.Globalization;
using SixLabors.ImageSharp;

namespace Emotion.Preprocessing.Frames;

/// <summary>
/// Builds the frame list of one video from an Aff-Wild2 <c>cropped_aligned</c> folder, an explicit list of files, or
/// in-memory images. Frames are returned sorted by number.
/// </summary>
public static class FrameSources
{
    /// <summary>File extensions recognised as frames (case-insensitive).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png"];

    /// <summary>
    /// Reads a video's frame folder in the Aff-Wild2 <c>cropped_aligned</c> layout: files named by their 1-based frame
    /// number (<c>00001.jpg</c>, <c>00002.jpg</c>, ...; any zero padding); numbers are missing where no face was found.
    /// Files whose name is not a number or whose extension is not an image extension are ignored.
    /// </summary>
    /// <param name="folder">The video's folder.</param>
    /// <returns>The frames sorted by number.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Two files share a frame number (for example 00001.jpg and 00001.png), or a number is 0.</exception>
    public static IReadOnlyList<NumberedFrame> FromFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Frame folder '{folder}' does not exist.");
        var byNumber = new SortedDictionary<int, string>();
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (!IsImageFile(file)) continue;
            var stem = Path.GetFileNameWithoutExtension(file);
            if (stem.Length == 0 || !stem.All(char.IsAsciiDigit)) continue;
            if (!int.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1)
                throw new InvalidDataException($"Frame file '{file}': expected a 1-based frame number as the file name.");
            if (!byNumber.TryAdd(number, file))
                throw new InvalidDataException($"Frame folder '{folder}': frame {number} exists twice ('{byNumber[number]}' and '{file}').");
        }
        var frames = new List<NumberedFrame>(byNumber.Count);
        foreach (var (number, file) in byNumber)
            frames.Add(new NumberedFrame(number, new FileFrameSource(file)));
        return frames;
    }

    /// <summary>An explicit list of image files, numbered 1, 2, ... in the given order.</summary>
    /// <param name="files">The image files, in temporal order.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static IReadOnlyList<NumberedFrame> FromFiles(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var frames = new List<NumberedFrame>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"Frame file '{file}' does not exist.", file);
            frames.Add(new NumberedFrame(frames.Count + 1, new FileFrameSource(file)));
        }
        return frames;
    }

    /// <summary>In-memory images of any pixel format, numbered 1, 2, ... in the given order (not copied, not disposed).</summary>
    /// <param name="images">The images, in temporal order.</param>
    public static IReadOnlyList<NumberedFrame> FromImages(IEnumerable<Image> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var frames = new List<NumberedFrame>();
        foreach (var image in images)
            frames.Add(new NumberedFrame(frames.Count + 1, new InMemoryFrameSource(image, $"in-memory frame {frames.Count + 1}")));
        return frames;
    }

    /// <summary>Whether the path has one of the <see cref="ImageExtensions"/>.</summary>
    public static bool IsImageFile(string path)
    {
        var ext = Path.GetExtension(path);
        foreach (var e in ImageExtensions)
            if (string.Equals(e, ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
