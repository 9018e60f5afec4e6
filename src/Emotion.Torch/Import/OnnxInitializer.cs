using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// A constant tensor of an ONNX file (a graph initializer or a tensor attribute), decoded from <c>float_data</c>,
/// <c>int32_data</c>, <c>int64_data</c>, <c>double_data</c>, <c>uint64_data</c> or little-endian <c>raw_data</c>.
/// </summary>
public sealed class OnnxInitializer
{
    private readonly byte[] data;

    internal OnnxInitializer(string name, OnnxElementType elementType, long[] dims, byte[] data)
    {
        Name = name;
        ElementType = elementType;
        this.dims = dims;
        this.data = data;
    }

    private readonly long[] dims;

    /// <summary>The tensor's name (an initializer's name is the value name nodes use as input).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The shape (empty for a scalar).</summary>
    public IReadOnlyList<long> Dims => dims;

    /// <summary>The number of elements (the product of <see cref="Dims"/>).</summary>
    public long ElementCount => ElementCountOf(dims);

    /// <summary>Copies the values into a new CPU tensor of the matching TorchSharp type; the caller disposes it.</summary>
    /// <exception cref="NotSupportedException">A string tensor (no numeric equivalent).</exception>
    public Tensor ToTensor()
    {
        ReadOnlySpan<long> shape = dims;
        return ElementType switch
        {
            OnnxElementType.Float => tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape),
            OnnxElementType.Double => tensor(MemoryMarshal.Cast<byte, double>(data).ToArray(), shape),
            OnnxElementType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(data).ToArray(), shape),
            OnnxElementType.BFloat16 => BFloat16ToFloat().reshape(dims).to(ScalarType.BFloat16),
            OnnxElementType.UInt8 => tensor(data.ToArray(), shape),
            OnnxElementType.Int8 => tensor(MemoryMarshal.Cast<byte, sbyte>(data).ToArray(), shape),
            OnnxElementType.Int16 => tensor(MemoryMarshal.Cast<byte, short>(data).ToArray(), shape),
            OnnxElementType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(data).ToArray(), shape),
            OnnxElementType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(data).ToArray(), shape),
            OnnxElementType.Bool => tensor(data.Select(b => b != 0).ToArray(), shape),
            // TorchSharp has no unsigned 16/32/64-bit tensors: widen to the next signed type (uint64 must fit int64).
            OnnxElementType.UInt16 => tensor(MemoryMarshal.Cast<byte, ushort>(data).ToArray().Select(v => (int)v).ToArray(), shape),
            OnnxElementType.UInt32 => tensor(MemoryMarshal.Cast<byte, uint>(data).ToArray().Select(v => (long)v).ToArray(), shape),
            OnnxElementType.UInt64 => tensor(MemoryMarshal.Cast<byte, ulong>(data).ToArray().Select(v => checked((long)v)).ToArray(), shape),
            _ => throw new NotSupportedException($"ONNX tensor '{Name}' has element type {ElementType}, which has no TorchSharp equivalent."),
        };
    }

    /// <summary>The values as 32-bit floats (any numeric element type converted).</summary>
    /// <exception cref="NotSupportedException">A string tensor.</exception>
    public float[] ToFloats()
    {
        if (ElementType == OnnxElementType.Float) return MemoryMarshal.Cast<byte, float>(data).ToArray();
        using var t = ToTensor();
        using var f = t.to(ScalarType.Float32);
        return f.data<float>().ToArray();
    }

    /// <summary>The values as 64-bit integers (integer and boolean element types).</summary>
    /// <exception cref="NotSupportedException">A floating-point or string tensor.</exception>
    public long[] ToInt64s()
    {
        if (ElementType == OnnxElementType.Int64) return MemoryMarshal.Cast<byte, long>(data).ToArray();
        if (ElementType is OnnxElementType.Float or OnnxElementType.Double or OnnxElementType.Float16 or OnnxElementType.BFloat16 or OnnxElementType.String)
            throw new NotSupportedException($"ONNX tensor '{Name}' holds {ElementType} values, not integers.");
        using var t = ToTensor();
        using var l = t.to(ScalarType.Int64);
        return l.data<long>().ToArray();
    }

    /// <summary>The tensor as <c>name: Float [64, 3, 7, 7]</c>.</summary>
    public override string ToString() => $"{Name}: {ElementType} [{string.Join(", ", dims)}]";

    internal static long ElementCountOf(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    private Tensor BFloat16ToFloat()
    {
        var bits = MemoryMarshal.Cast<byte, ushort>(data);
        var values = new float[bits.Length];
        for (int i = 0; i < bits.Length; i++) values[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
        return tensor(values);
    }
}
