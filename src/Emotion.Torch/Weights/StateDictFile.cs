using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Emotion.Torch.Weights;

/// <summary>
/// Reads and writes state dictionaries (tensors by parameter or buffer name) as files, never serialised module objects.
/// Writes are atomic: the data goes to a temporary file in the target folder, which is then renamed over the target.
/// </summary>
public static class StateDictFile
{
    /// <summary>
    /// Detects a file's format from its first bytes and extension: a zip archive (<c>PK</c>) is a PyTorch state dict,
    /// <c>.safetensors</c> is safetensors, <c>.onnx</c> an ONNX model (its initializers, by initializer name), anything
    /// else is TorchSharp's format.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static WeightsFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return WeightsFormat.Safetensors;
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return WeightsFormat.Onnx;
        Span<byte> head = stackalloc byte[2];
        using var stream = File.OpenRead(path);
        int read = stream.Read(head);
        return read == 2 && head[0] == (byte)'P' && head[1] == (byte)'K' ? WeightsFormat.PyTorch : WeightsFormat.TorchSharp;
    }

    /// <summary>
    /// Reads every tensor of a state-dictionary file (format detected by <see cref="DetectFormat"/>) onto the CPU.
    /// The caller owns (and disposes) the returned tensors.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable state dictionary.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var format = DetectFormat(path);
        try
        {
            return format switch
            {
                WeightsFormat.PyTorch => ReadPyTorch(path),
                WeightsFormat.Safetensors => ReadSafetensors(path),
                WeightsFormat.Onnx => Emotion.Torch.Import.OnnxGraphReader.ReadInitializers(path),
                _ => ReadTorchSharp(path),
            };
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException(
                $"Weights file '{path}' could not be read as a {format} state dictionary ({e.GetType().Name}: {e.Message}). " +
                "Expected a file written by TorchSharp's Module.save, by torch.save(model.state_dict()), a .safetensors or an .onnx file.", e);
        }
    }

    /// <summary>Writes a state dictionary in TorchSharp's format (readable by <c>Module.load</c>), atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var copy = new Dictionary<string, Tensor>(stateDict);
        Emotion.Core.IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            nn.Module.save_state_dict(writer, copy);
        });
    }

    /// <summary>
    /// Checks the safetensors header (8-byte little-endian length, then a JSON object of
    /// <c>{ dtype, shape, data_offsets }</c> entries) before TorchSharp.PyBridge reads it: PyBridge dereferences a
    /// missing field (NullReferenceException) and allocates whatever header length the file claims.
    /// </summary>
    private static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        long dataLength;
        using (var stream = File.OpenRead(path))
        {
            Span<byte> prefix = stackalloc byte[8];
            if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
                throw new InvalidDataException($"Safetensors file '{path}' is shorter than its 8-byte header length.");
            ulong headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength < 2 || headerLength > (ulong)(stream.Length - 8))
                throw new InvalidDataException($"Safetensors file '{path}' declares a {headerLength}-byte header but holds {stream.Length - 8} bytes after the length; the file is truncated or not safetensors.");
            dataLength = stream.Length - 8 - (long)headerLength;
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            System.Text.Json.JsonDocument document;
            try
            {
                document = System.Text.Json.JsonDocument.Parse(header);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"Safetensors file '{path}' has a header that is not valid JSON: {e.Message}", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                    throw new InvalidDataException($"Safetensors file '{path}' has a header that is not a JSON object.");
                foreach (var entry in document.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__") continue;
                    if (!ValidSafetensorsEntry(entry.Value, dataLength))
                        throw new InvalidDataException(
                            $"Safetensors file '{path}': entry '{entry.Name}' needs a string 'dtype', a 'shape' of non-negative integers and " +
                            $"'data_offsets' [begin, end] within the {dataLength} data bytes; found {entry.Value.GetRawText()}.");
                }
            }
        }
        return Safetensors.LoadStateDict(path);
    }

    private static bool ValidSafetensorsEntry(System.Text.Json.JsonElement e, long dataLength)
    {
        const System.Text.Json.JsonValueKind obj = System.Text.Json.JsonValueKind.Object, arr = System.Text.Json.JsonValueKind.Array,
            str = System.Text.Json.JsonValueKind.String, num = System.Text.Json.JsonValueKind.Number;
        if (e.ValueKind != obj || !e.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != str
            || !e.TryGetProperty("shape", out var shape) || shape.ValueKind != arr
            || !e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != arr || offsets.GetArrayLength() != 2)
            return false;
        foreach (var d in shape.EnumerateArray())
            if (d.ValueKind != num || !d.TryGetInt64(out long v) || v < 0) return false;
        var begin = offsets[0];
        var end = offsets[1];
        return begin.ValueKind == num && end.ValueKind == num && begin.TryGetInt64(out long b) && end.TryGetInt64(out long en)
            && b >= 0 && b <= en && en <= dataLength;
    }

    /// <summary>
    /// Peeks at a TorchSharp tensor record (7-bit encoded scalar type, rank, dimensions) and rejects shapes whose element
    /// count exceeds the bytes left in the file, before TorchSharp allocates the tensor: an 11-byte file could otherwise
    /// ask for gigabytes (found by fuzzing). The reader is left where it was.
    /// </summary>
    private static void CheckTensorHeader(string path, string key, BinaryReader reader)
    {
        var stream = reader.BaseStream;
        long start = stream.Position;
        long left;
        try
        {
            long type = reader.Read7BitEncodedInt64();
            if (type < sbyte.MinValue || type > sbyte.MaxValue || !Enum.IsDefined(typeof(ScalarType), (sbyte)type))
                throw new InvalidDataException($"Weights file '{path}': entry '{key}' has unknown scalar type {type}; it is not a TorchSharp state dictionary.");
            long rank = reader.Read7BitEncodedInt64();
            if (rank < 0 || rank > 64)
                throw new InvalidDataException($"Weights file '{path}': entry '{key}' has rank {rank}; it is not a TorchSharp state dictionary.");
            long elements = 1, strides = 1;
            var shape = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                shape[i] = reader.Read7BitEncodedInt64();
                if (shape[i] < 0)
                    throw new InvalidDataException($"Weights file '{path}': entry '{key}' has a negative dimension; it is not a TorchSharp state dictionary.");
                elements = shape[i] == 0 || elements == 0 ? 0 : (elements > long.MaxValue / shape[i] ? long.MaxValue : elements * shape[i]);
                long d = Math.Max(shape[i], 1);
                strides = strides > long.MaxValue / d ? long.MaxValue : strides * d;
            }
            // libtorch computes strides from the non-zero dimensions even for an empty tensor, and fails when they overflow.
            if (strides > 1L << 48)
                throw new InvalidDataException($"Weights file '{path}': entry '{key}' has shape [{string.Join(", ", shape)}], too large for any tensor; it is not a TorchSharp state dictionary.");
            left = stream.Length - stream.Position;
            if (elements > left)
                throw new InvalidDataException(
                    $"Weights file '{path}': entry '{key}' has shape [{string.Join(", ", shape)}] but only {left} bytes are left in the file; the file is truncated or not a TorchSharp state dictionary.");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Weights file '{path}': entry '{key}' has a malformed header; it is not a TorchSharp state dictionary.", e);
        }
        stream.Position = start;
    }

    private static Dictionary<string, Tensor> ReadTorchSharp(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        long count = reader.Read7BitEncodedInt64();
        if (count < 0 || count > 1_000_000)
            throw new InvalidDataException($"Weights file '{path}' is not a TorchSharp state dictionary (entry count {count}).");
        var result = new Dictionary<string, Tensor>((int)count);
        try
        {
            for (long i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                CheckTensorHeader(path, key, reader);
                var tensor = TensorExtensionMethods.Load(reader);
                if (!result.TryAdd(key, tensor))
                {
                    tensor.Dispose();
                    throw new InvalidDataException($"Weights file '{path}' holds the entry '{key}' twice.");
                }
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"Weights file '{path}' has {stream.Length - stream.Position} bytes after its last entry; it is not a TorchSharp state dictionary.");
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static Dictionary<string, Tensor> ReadPyTorch(string path)
    {
        Hashtable table = PyTorchUnpickler.UnpickleStateDict(path);
        var result = new Dictionary<string, Tensor>(table.Count);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is not string key || entry.Value is not Tensor tensor)
                throw new InvalidDataException(
                    $"Weights file '{path}' is a PyTorch pickle but not a flat state dictionary (entry '{entry.Key}' holds {entry.Value?.GetType().Name ?? "null"}); save module.state_dict().");
            result.Add(key, tensor);
        }
        return result;
    }
}
