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

    /// <summary>An int8 tensor of the given shape (quantized weights, int8 zero points).</summary>
    /// <exception cref="ArgumentException">The data length does not match the product of the dimensions.</exception>
    public static TensorProto Int8(string name, ReadOnlySpan<sbyte> data, params ReadOnlySpan<long> dims) =>
        Create(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>A uint8 tensor of the given shape (uint8 zero points).</summary>
    /// <exception cref="ArgumentException">The data length does not match the product of the dimensions.</exception>
    public static TensorProto UInt8(string name, ReadOnlySpan<byte> data, params ReadOnlySpan<long> dims) =>
        Create(name, TensorProto.Types.DataType.Uint8, data, data.Length, dims);

    /// <summary>An int32 tensor of the given shape (quantized biases).</summary>
    /// <exception cref="ArgumentException">The data length does not match the product of the dimensions.</exception>
    public static TensorProto Int32(string name, ReadOnlySpan<int> data, params ReadOnlySpan<long> dims) =>
        Create(name, TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(data), data.Length, dims);

    /// <summary>Reads the values of an int8 tensor (from <c>raw_data</c> or <c>int32_data</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not int8.</exception>
    public static sbyte[] ReadInt8s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireType(tensor, TensorProto.Types.DataType.Int8);
        return tensor.RawData.Length == 0 ? [.. tensor.Int32Data.Select(v => (sbyte)v)] : MemoryMarshal.Cast<byte, sbyte>(tensor.RawData.Span).ToArray();
    }

    /// <summary>Reads the values of a uint8 tensor (from <c>raw_data</c> or <c>int32_data</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not uint8.</exception>
    public static byte[] ReadUInt8s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireType(tensor, TensorProto.Types.DataType.Uint8);
        return tensor.RawData.Length == 0 ? [.. tensor.Int32Data.Select(v => (byte)v)] : tensor.RawData.ToByteArray();
    }

    /// <summary>Reads the values of an int32 tensor (from <c>raw_data</c> or <c>int32_data</c>).</summary>
    /// <exception cref="ArgumentException">The tensor is not int32.</exception>
    public static int[] ReadInt32s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireType(tensor, TensorProto.Types.DataType.Int32);
        if (tensor.RawData.Length == 0) return [.. tensor.Int32Data];
        EnsureLittleEndian();
        return MemoryMarshal.Cast<byte, int>(tensor.RawData.Span).ToArray();
    }

    private static void RequireType(TensorProto tensor, TensorProto.Types.DataType type)
    {
        if (tensor.DataType != (int)type)
            throw new ArgumentException($"Tensor '{tensor.Name}' has data type {tensor.DataType}; expected {type.ToString().ToUpperInvariant()} ({(int)type}).", nameof(tensor));
    }

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
