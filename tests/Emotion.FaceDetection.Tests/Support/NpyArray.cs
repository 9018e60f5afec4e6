using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Emotion.FaceDetection.Tests.Support;

/// <summary>
/// A minimal reader of NumPy's .npy format (version 1.0/2.0): magic <c>\x93NUMPY</c>, version, header length, a Python
/// dict literal header (<c>descr</c>, <c>fortran_order</c>, <c>shape</c>), then the C-order data. Reads little-endian
/// float64, float32 and uint8 arrays into doubles.
/// </summary>
internal sealed partial class NpyArray
{
    private NpyArray(int[] shape, double[] values)
    {
        Shape = shape;
        Values = values;
    }

    public int[] Shape { get; }

    public double[] Values { get; }

    public static NpyArray Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"'{path}' is not a .npy file (no \\x93NUMPY magic).");
        int major = bytes[6];
        int headerLength, offset;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); offset = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); offset = 12; }
        string header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        string descr = DescrPattern().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw new InvalidDataException($"'{path}': no descr in the header {header}.");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is in Fortran order; only C order is supported.");
        var shapeMatch = ShapePattern().Match(header);
        if (!shapeMatch.Success) throw new InvalidDataException($"'{path}': no shape in the header {header}.");
        int[] shape = [.. shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse)];
        int count = shape.Aggregate(1, (a, b) => a * b);
        var data = bytes.AsSpan(offset + headerLength);
        var values = new double[count];
        switch (descr)
        {
            case "<f8":
                for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]);
                break;
            case "<f4":
                for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                break;
            case "|u1":
                for (int i = 0; i < count; i++) values[i] = data[i];
                break;
            default:
                throw new InvalidDataException($"'{path}' holds dtype {descr}; expected <f8, <f4 or |u1.");
        }
        return new NpyArray(shape, values);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
