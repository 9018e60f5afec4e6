using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ConvCheck;

/// <summary>Minimal reader/writer of NumPy .npy files (format 1.0, little-endian float32/float64, C order).</summary>
internal static partial class Npy
{
    public static void Write(string path, float[] data, long[] shape) => Write(path, "<f4", shape, w => { foreach (var v in data) w.Write(v); });

    public static void Write(string path, double[] data, long[] shape) => Write(path, "<f8", shape, w => { foreach (var v in data) w.Write(v); });

    private static void Write(string path, string descr, long[] shape, Action<BinaryWriter> body)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var w = new BinaryWriter(File.Create(path));
        w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        w.Write((ushort)header.Length);
        w.Write(Encoding.ASCII.GetBytes(header));
        body(w);
    }

    /// <summary>Reads a float32 or float64 array as doubles (float32 values convert exactly).</summary>
    public static (double[] Data, long[] Shape) Read(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var magic = r.ReadBytes(8);
        if (magic.Length < 8 || magic[0] != 0x93 || Encoding.ASCII.GetString(magic, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        int headerLength = magic[6] == 1 ? r.ReadUInt16() : (int)r.ReadUInt32();
        string header = Encoding.ASCII.GetString(r.ReadBytes(headerLength));
        var descr = DescrPattern().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order is not supported");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[count];
        switch (descr)
        {
            case "<f4": for (long i = 0; i < count; i++) data[i] = r.ReadSingle(); break;
            case "<f8": for (long i = 0; i < count; i++) data[i] = r.ReadDouble(); break;
            default: throw new InvalidDataException($"{path}: dtype {descr} is not supported (expected <f4 or <f8)");
        }
        return (data, shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
