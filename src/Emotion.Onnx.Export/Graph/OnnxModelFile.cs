using Emotion.Onnx.Export.Protos;
using Google.Protobuf;

namespace Emotion.Onnx.Export.Graph;

/// <summary>Reads and writes ONNX model files.</summary>
public static class OnnxModelFile
{
    /// <summary>
    /// Writes a model atomically: to a temporary file beside <paramref name="path"/>, then renamed over it, so that a
    /// reader never sees a half-written file. Creates the directory if needed.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { /* best effort */ }
            throw;
        }
    }

    /// <summary>Reads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model (corrupted or truncated).</exception>
    public static ModelProto Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            var model = ModelProto.Parser.ParseFrom(stream);
            if (model.Graph is null || model.OpsetImport.Count == 0)
                throw new InvalidDataException($"'{path}' is not an ONNX model: it has no graph or no operator set.");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid ONNX model (corrupted or truncated): {e.Message}", e);
        }
    }
}
