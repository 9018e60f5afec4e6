using System.IO.Compression;
using System.Buffers.Binary;
using Emotion.Testing;

namespace Emotion.Samples.WebApi.Tests;

/// <summary>Real photos from the asset cache and hand-made bad inputs.</summary>
internal static class TestImages
{
    /// <summary>Grace Hopper's portrait (JPEG, one face).</summary>
    public static string GraceHopper => TestAssets.Path("grace_hopper.jpg");

    /// <summary>Eileen Collins' portrait (PNG, one smiling face).</summary>
    public static string Astronaut => TestAssets.Path("astronaut.png");

    /// <summary>
    /// A valid grayscale PNG of <paramref name="width"/> x <paramref name="height"/> black pixels (compressed to a few
    /// hundred kilobytes even at 100 megapixels: the server must refuse it from its header, before decoding).
    /// </summary>
    public static byte[] BlackPng(int width, int height)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), compression 0, filter 0, no interlace
        Chunk(output, "IHDR", header);
        using (var data = new MemoryStream())
        {
            using (var zlib = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true))
            {
                var row = new byte[width + 1]; // filter byte 0, then the row's pixels
                for (int y = 0; y < height; y++) zlib.Write(row);
            }
            Chunk(output, "IDAT", data.ToArray());
        }
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        output.Write(typeBytes);
        output.Write(data);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(typeBytes);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, crc.GetCurrentHashAsUInt32());
        output.Write(number);
    }
}
