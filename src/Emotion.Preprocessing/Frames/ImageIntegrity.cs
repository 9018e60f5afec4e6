using System.Buffers.Binary;
using System.IO.Hashing;

namespace Emotion.Preprocessing.Frames;

/// <summary>
/// A cheap structural check of encoded JPEG and PNG files, run before decoding, because ImageSharp 2.1 decodes a
/// truncated JPEG without any error (the missing rows come out grey). A JPEG must walk from its start-of-image marker
/// through well-formed segments and scans to the end-of-image marker (<c>FF D9</c>); a PNG must have the signature,
/// chunks that fit the file, a valid CRC-32 on every chunk and an <c>IEND</c> chunk. Other formats are left to the
/// decoder. The check only scans the bytes (no decoding); see docs/data-formats.md for its measured cost.
/// </summary>
public static class ImageIntegrity
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks encoded image bytes.</summary>
    /// <param name="encoded">The whole file's bytes.</param>
    /// <returns>Null when the bytes look complete (or are not JPEG/PNG); otherwise why not, starting with
    /// <c>the file is empty</c>, <c>the file is truncated</c> or <c>the file is damaged</c>.</returns>
    public static string? Check(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0) return "the file is empty (0 bytes); expected a JPEG or PNG image.";
        if (encoded.Length >= 2 && encoded[0] == 0xFF && encoded[1] == 0xD8) return CheckJpeg(encoded);
        if (encoded.StartsWith(PngSignature)) return CheckPng(encoded);
        if (encoded.Length < PngSignature.Length && PngSignature.StartsWith(encoded))
            return $"the file is truncated: it ends after {encoded.Length} bytes, inside the PNG signature.";
        return null;
    }

    /// <summary>Reads and checks an image file.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>Null when the file looks complete (or is not JPEG/PNG); otherwise why not (see <see cref="Check"/>).</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string? CheckFile(string path) => Check(File.ReadAllBytes(path));

    private static string? CheckJpeg(ReadOnlySpan<byte> data)
    {
        int n = data.Length, i = 2;
        while (true)
        {
            if (i >= n) return $"the file is truncated: the JPEG ends after {n} bytes without its end-of-image marker (FF D9).";
            if (data[i] != 0xFF) return $"the file is damaged: expected a JPEG marker at byte {i}, found 0x{data[i]:X2}.";
            while (i < n && data[i] == 0xFF) i++; // fill bytes
            if (i >= n) return $"the file is truncated: the JPEG ends after {n} bytes without its end-of-image marker (FF D9).";
            byte marker = data[i++];
            if (marker == 0xD9) return null;
            if (marker == 0x01 || marker is >= 0xD0 and <= 0xD7) continue; // markers without a length
            if (marker == 0x00 || marker == 0xD8) return $"the file is damaged: unexpected JPEG marker FF {marker:X2} at byte {i - 2}.";
            if (i + 2 > n) return $"the file is truncated: the JPEG ends after {n} bytes inside segment FF {marker:X2} (at byte {i - 2}), before its end-of-image marker (FF D9).";
            int length = (data[i] << 8) | data[i + 1];
            if (length < 2) return $"the file is damaged: JPEG segment FF {marker:X2} at byte {i - 2} declares an impossible length {length}.";
            if (i + length > n)
                return $"the file is truncated: JPEG segment FF {marker:X2} at byte {i - 2} declares {length} bytes but the file ends after {n} bytes.";
            i += length;
            if (marker != 0xDA) continue;
            // Entropy-coded scan data: 0xFF is stuffed as FF 00 and restart markers FF D0-D7 may appear; any other marker ends the scan.
            while (true)
            {
                int k = data[i..].IndexOf((byte)0xFF);
                if (k < 0 || i + k + 1 >= n)
                    return $"the file is truncated: the JPEG's scan data ends after {n} bytes without the end-of-image marker (FF D9).";
                i += k;
                byte next = data[i + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) { i += 2; continue; }
                if (next == 0xFF) { i++; continue; }
                break;
            }
        }
    }

    private static string? CheckPng(ReadOnlySpan<byte> data)
    {
        int n = data.Length, i = PngSignature.Length;
        string last = "the signature";
        while (true)
        {
            if (i + 8 > n) return $"the file is truncated: the PNG ends after {n} bytes, after {last}, without its IEND chunk.";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
            var type = data.Slice(i + 4, 4);
            string name = ChunkName(type);
            foreach (byte b in type)
                if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
                    return $"the file is damaged: the PNG chunk at byte {i} has an invalid type '{name}'.";
            if (length > int.MaxValue || (long)i + 12 + length > n)
                return $"the file is truncated: PNG chunk {name} at byte {i} declares {length} bytes of data but the file ends after {n} bytes, without its IEND chunk.";
            int len = (int)length;
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(i + 8 + len)..]);
            uint computed = Crc32.HashToUInt32(data.Slice(i + 4, 4 + len));
            if (stored != computed)
                return $"the file is damaged: PNG chunk {name} at byte {i} fails its CRC check (stored 0x{stored:X8}, computed 0x{computed:X8}).";
            if (name == "IEND") return null;
            last = $"chunk {name} at byte {i}";
            i += 12 + len;
        }
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int k = 0; k < 4; k++) chars[k] = type[k] is >= 0x20 and < 0x7F ? (char)type[k] : '?';
        return new string(chars);
    }
}
