namespace Emotion.Core.IO;

/// <summary>
/// Writes files atomically: the content goes to a temporary file in the target's folder, which is flushed to disk and
/// then renamed over the target. A crash or an exception leaves either the old file or the new one, never half a file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on failure the temporary file is removed and the target is untouched.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The folder cannot be created, or the file cannot be written or moved into place (disk
    /// full, the target is a folder, ...); the message names the target (never the internal temporary file) and the reason.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied; the message names the target.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Named(ex, $"Cannot write '{full}': cannot create its folder '{folder}' ({ex.Message})");
        }
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex)
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: the target is untouched either way */ }
            if (ex is IOException or UnauthorizedAccessException)
            {
                string reason = ex.Message.Replace(temp, full, StringComparison.Ordinal);
                if (Directory.Exists(full)) reason = "the target is a folder. " + reason;
                throw Named(ex, $"Cannot write '{full}': {reason} (the previous file, if any, is unchanged)");
            }
            throw;
        }
    }

    private static Exception Named(Exception ex, string message) =>
        ex is UnauthorizedAccessException ? new UnauthorizedAccessException(message, ex) : new IOException(message, ex);

    /// <summary>Writes text (UTF-8 without byte order mark) atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>Writes text through a <see cref="TextWriter"/> (UTF-8 without byte order mark) atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            write(writer);
        });
    }
}
