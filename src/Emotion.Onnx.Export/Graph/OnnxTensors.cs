using System.Runtime.InteropServices;
using Emotion.Onnx.Export.Protos;
using Google.Protobuf;

namespace Emotion.Onnx.Export.Graph;

/// <summary>Creates ONNX <see cref="TensorProto"/> values (initializers, constant attributes) with little-endian raw data.</summary>
public static class OnnxTensors
{
    /// <summary>A float32 tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The data length does not match the product of the dimensions.</exception>
    public static TensorProto Float(string name, ReadOnlySpan<float> data, params ReadOnlySpan<long> dims) =>
        Create(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>An int64 tensor of the given shape (shapes, axes, indices).</summary>
    /// <exception cref="ArgumentException">The data length does not match the product of the dimensions.</exception>
    public static TensorProto Int64(string name, ReadOnlySpan<long> data, params ReadOnlySpan<long> dims) =>
        Create(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>Reads the values of a float32 tensor (from <c>raw_data</c> or <c>float_data</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not float32.</exception>
    public static float[] ReadFloats(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new ArgumentException($"Tensor '{tensor.Name}' has data type {tensor.DataType}; expected FLOAT (1).", nameof(tensor));
        if (tensor.RawData.Length == 0) return [.. tensor.FloatData];
        EnsureLittleEndian();
        return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    /// <summary>Reads the values of an int64 tensor (from <c>raw_data</c> or <c>int64_data</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not int64.</exception>
    public static long[] ReadInt64s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)TensorProto.Types.DataType.Int64)
            throw new ArgumentException($"Tensor '{tensor.Name}' has data type {tensor.DataType}; expected INT64 (7).", nameof(tensor));
        if (tensor.RawData.Length == 0) return [.. tensor.Int64Data];
        EnsureLittleEndian();
        return MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray();
    }

    private static TensorProto Create(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, int count, ReadOnlySpan<long> dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EnsureLittleEndian();
        long expected = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension {d}.", nameof(dims));
            expected *= d;
        }
        if (expected != count)
            throw new ArgumentException(
                $"Tensor '{name}' has {count} values but its shape [{string.Join(", ", dims.ToArray())}] needs {expected}.", nameof(dims));
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        foreach (long d in dims) tensor.Dims.Add(d);
        return tensor;
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; big-endian machines are not supported.");
    }
}
