namespace Emotion.Torch.Import;

/// <summary>
/// A minimal reader of the protobuf wire format (varints, fixed 32/64-bit values, length-delimited fields) over a byte
/// range, enough to walk ONNX messages field by field without generated code. Offsets are absolute positions in the
/// buffer, so a length-delimited field can be read again later (as a nested message) or copied without an intermediate copy.
/// Malformed or truncated input throws <see cref="InvalidDataException"/> with the offset; callers add the file and message.
/// </summary>
internal struct ProtoWireReader
{
    /// <summary>Varint wire type.</summary>
    public const int Varint = 0;
    /// <summary>64-bit wire type.</summary>
    public const int Fixed64 = 1;
    /// <summary>Length-delimited wire type (strings, bytes, messages, packed repeated fields).</summary>
    public const int LengthDelimited = 2;
    /// <summary>32-bit wire type.</summary>
    public const int Fixed32 = 5;

    private readonly byte[] buffer;
    private readonly int end;
    private int position;

    /// <summary>Reads <paramref name="length"/> bytes of <paramref name="data"/> from <paramref name="start"/>.</summary>
    public ProtoWireReader(byte[] data, int start, int length)
    {
        if (start < 0 || length < 0 || start > data.Length - length)
            throw new InvalidDataException($"A field of {length} bytes at offset {start} runs past the end of the data ({data.Length} bytes); the file is truncated.");
        buffer = data;
        position = start;
        end = start + length;
    }

    /// <summary>The absolute offset of the next byte.</summary>
    public readonly int Position => position;

    /// <summary>Whether every byte of the range has been read.</summary>
    public readonly bool AtEnd => position >= end;

    /// <summary>Reads the next field's number and wire type; false at the end of the range.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        if (position >= end)
        {
            field = 0;
            wireType = 0;
            return false;
        }
        ulong tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field <= 0 || tag >> 3 > int.MaxValue)
            throw new InvalidDataException($"Invalid protobuf field tag {tag} at offset {position}; the data is corrupted or not protobuf.");
        return true;
    }

    /// <summary>Reads a base-128 varint.</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= end) throw Truncated("a varint");
            byte b = buffer[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException($"A varint at offset {position} is longer than 10 bytes; the data is corrupted.");
    }

    /// <summary>Reads a little-endian 32-bit value.</summary>
    public uint ReadFixed32()
    {
        if (end - position < 4) throw Truncated("a 32-bit value");
        uint v = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(position, 4));
        position += 4;
        return v;
    }

    /// <summary>Reads a little-endian 64-bit value.</summary>
    public ulong ReadFixed64()
    {
        if (end - position < 8) throw Truncated("a 64-bit value");
        ulong v = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(position, 8));
        position += 8;
        return v;
    }

    /// <summary>Reads a length prefix and returns the absolute range of the field's bytes, positioned after them.</summary>
    public (int Start, int Length) ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(end - position)) throw Truncated($"a field of {length} bytes");
        int start = position;
        position += (int)length;
        return (start, (int)length);
    }

    /// <summary>A reader over a length-delimited field (a nested message or a packed array).</summary>
    public ProtoWireReader ReadNested()
    {
        var (start, length) = ReadLengthDelimited();
        return new ProtoWireReader(buffer, start, length);
    }

    /// <summary>Reads a UTF-8 string field.</summary>
    public string ReadString()
    {
        var (start, length) = ReadLengthDelimited();
        return System.Text.Encoding.UTF8.GetString(buffer, start, length);
    }

    /// <summary>The bytes of a range read by <see cref="ReadLengthDelimited"/>.</summary>
    public readonly ReadOnlySpan<byte> Slice(int start, int length) => buffer.AsSpan(start, length);

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: ReadFixed64(); break;
            case LengthDelimited: ReadLengthDelimited(); break;
            case Fixed32: ReadFixed32(); break;
            default: throw new InvalidDataException($"Unsupported protobuf wire type {wireType} at offset {position}; the data is corrupted or uses deprecated groups.");
        }
    }

    private readonly InvalidDataException Truncated(string what) =>
        new($"The data ends inside {what} at offset {position} (field ends at {end}, data has {buffer.Length} bytes); the file is truncated or corrupted.");
}
