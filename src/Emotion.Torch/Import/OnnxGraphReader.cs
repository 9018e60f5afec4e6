using System.Buffers;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Reads the main graph of an ONNX model file (<c>ModelProto.graph</c>: nodes, initializers, inputs, outputs) with a small
/// hand-written protobuf reader, so that Emotion.Torch can import ONNX weights without the exporter's generated classes.
/// Field numbers follow the ONNX IR specification; fields it does not need are skipped.
/// </summary>
/// <remarks>
/// Tensors whose data lives in an external file (<c>data_location = EXTERNAL</c>) and sparse initializers are rejected with
/// a message naming the file and the tensor. Every error names the file.
/// </remarks>
public static class OnnxGraphReader
{
    /// <summary>Reads an ONNX model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model (truncated, corrupted, a tensor with inconsistent data or external data).</exception>
    /// <exception cref="NotSupportedException">The file uses a feature the reader does not support (sparse initializers, tensor segments).</exception>
    public static OnnxGraph Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads an ONNX model from memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable ONNX model.</exception>
    /// <exception cref="NotSupportedException">The model uses a feature the reader does not support.</exception>
    public static OnnxGraph Read(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The ONNX reader needs a little-endian machine.");
        return new Parser(bytes, source).Model();
    }

    /// <summary>
    /// Reads every initializer of an ONNX file as a CPU tensor keyed by initializer name (see <see cref="OnnxGraph.ToStateDict"/>).
    /// The caller disposes the tensors.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static Dictionary<string, Tensor> ReadInitializers(string path) => Read(path).ToStateDict();

    private sealed class Parser(byte[] data, string source)
    {
        private string context = "the model";

        public OnnxGraph Model()
        {
            try
            {
                if (data.Length == 0) throw new InvalidDataException("the file is empty");
                var r = new ProtoWireReader(data, 0, data.Length);
                long ir = 0;
                long? opset = null;
                string producer = "", producerVersion = "";
                (int Start, int Length)? graph = null;
                while (r.TryReadTag(out int field, out int wire))
                {
                    switch (field, wire)
                    {
                        case (1, ProtoWireReader.Varint): ir = (long)r.ReadVarint(); break;
                        case (2, ProtoWireReader.LengthDelimited): producer = r.ReadString(); break;
                        case (3, ProtoWireReader.LengthDelimited): producerVersion = r.ReadString(); break;
                        case (7, ProtoWireReader.LengthDelimited): graph = r.ReadLengthDelimited(); break;
                        case (8, ProtoWireReader.LengthDelimited):
                            var (domain, version) = OperatorSet(r.ReadNested());
                            if (domain is "" or "ai.onnx") opset = version;
                            break;
                        default: r.Skip(wire); break;
                    }
                }
                if (graph is not { } g)
                    throw new InvalidDataException("it has no graph (field 7 of ModelProto); it is not an ONNX model");
                return Graph(new ProtoWireReader(data, g.Start, g.Length), ir, opset, producer, producerVersion);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{source}' is not a readable ONNX model: {e.Message} (while reading {context}).", e);
            }
        }

        private static (string Domain, long Version) OperatorSet(ProtoWireReader r)
        {
            string domain = "";
            long version = 0;
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field == 1 && wire == ProtoWireReader.LengthDelimited) domain = r.ReadString();
                else if (field == 2 && wire == ProtoWireReader.Varint) version = (long)r.ReadVarint();
                else r.Skip(wire);
            }
            return (domain, version);
        }

        private OnnxGraph Graph(ProtoWireReader r, long ir, long? opset, string producer, string producerVersion)
        {
            string name = "";
            var nodes = new List<OnnxNode>();
            var initializers = new List<OnnxInitializer>();
            var inputs = new List<OnnxValueInfo>();
            var outputs = new List<OnnxValueInfo>();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field, wire)
                {
                    case (1, ProtoWireReader.LengthDelimited):
                        context = $"node #{nodes.Count}" + (nodes.Count > 0 ? $" (after '{nodes[^1].Name}')" : "");
                        nodes.Add(Node(r.ReadNested()));
                        break;
                    case (2, ProtoWireReader.LengthDelimited): name = r.ReadString(); break;
                    case (5, ProtoWireReader.LengthDelimited):
                        context = $"initializer #{initializers.Count}" + (initializers.Count > 0 ? $" (after '{initializers[^1].Name}')" : "");
                        initializers.Add(Tensor(r.ReadNested()));
                        break;
                    case (11, ProtoWireReader.LengthDelimited): context = "the graph inputs"; inputs.Add(ValueInfo(r.ReadNested())); break;
                    case (12, ProtoWireReader.LengthDelimited): context = "the graph outputs"; outputs.Add(ValueInfo(r.ReadNested())); break;
                    case (15, _):
                        throw new NotSupportedException($"The ONNX graph in '{source}' has sparse initializers, which the reader does not support; densify them first.");
                    default: r.Skip(wire); break;
                }
            }
            context = "the model";
            return new OnnxGraph
            {
                Source = source,
                Name = name,
                ProducerName = producer,
                ProducerVersion = producerVersion,
                IrVersion = ir,
                OpsetVersion = opset,
                Nodes = nodes,
                Initializers = initializers,
                Inputs = inputs,
                Outputs = outputs,
            };
        }

        private OnnxNode Node(ProtoWireReader r)
        {
            var inputs = new List<string>();
            var outputs = new List<string>();
            string name = "", op = "", domain = "";
            var attributes = new Dictionary<string, OnnxNodeAttribute>(StringComparer.Ordinal);
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field, wire)
                {
                    case (1, ProtoWireReader.LengthDelimited): inputs.Add(r.ReadString()); break;
                    case (2, ProtoWireReader.LengthDelimited): outputs.Add(r.ReadString()); break;
                    case (3, ProtoWireReader.LengthDelimited): name = r.ReadString(); break;
                    case (4, ProtoWireReader.LengthDelimited): op = r.ReadString(); break;
                    case (5, ProtoWireReader.LengthDelimited):
                        var attribute = Attribute(r.ReadNested());
                        attributes[attribute.Name] = attribute;
                        break;
                    case (7, ProtoWireReader.LengthDelimited): domain = r.ReadString(); break;
                    default: r.Skip(wire); break;
                }
            }
            if (op.Length == 0) throw new InvalidDataException($"node '{name}' has no op_type");
            return new OnnxNode(name, op, domain, inputs, outputs, attributes);
        }

        private OnnxNodeAttribute Attribute(ProtoWireReader r)
        {
            string name = "";
            int kind = 0;
            float? f = null;
            long? i = null;
            string? s = null;
            OnnxInitializer? t = null;
            var floats = new List<float>();
            var ints = new List<long>();
            var strings = new List<string>();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field, wire)
                {
                    case (1, ProtoWireReader.LengthDelimited): name = r.ReadString(); break;
                    case (2, ProtoWireReader.Fixed32): f = BitConverter.UInt32BitsToSingle(r.ReadFixed32()); break;
                    case (3, ProtoWireReader.Varint): i = (long)r.ReadVarint(); break;
                    case (4, ProtoWireReader.LengthDelimited): s = r.ReadString(); break;
                    case (5, ProtoWireReader.LengthDelimited): t = Tensor(r.ReadNested()); break;
                    case (7, ProtoWireReader.Fixed32): floats.Add(BitConverter.UInt32BitsToSingle(r.ReadFixed32())); break;
                    case (7, ProtoWireReader.LengthDelimited):
                        var packedFloats = r.ReadNested();
                        while (!packedFloats.AtEnd) floats.Add(BitConverter.UInt32BitsToSingle(packedFloats.ReadFixed32()));
                        break;
                    case (8, ProtoWireReader.Varint): ints.Add((long)r.ReadVarint()); break;
                    case (8, ProtoWireReader.LengthDelimited):
                        var packedInts = r.ReadNested();
                        while (!packedInts.AtEnd) ints.Add((long)packedInts.ReadVarint());
                        break;
                    case (9, ProtoWireReader.LengthDelimited): strings.Add(r.ReadString()); break;
                    case (20, ProtoWireReader.Varint): kind = (int)r.ReadVarint(); break;
                    default: r.Skip(wire); break;
                }
            }
            return new OnnxNodeAttribute(name, kind, f, i, s, t, floats, ints, strings);
        }

        private static OnnxValueInfo ValueInfo(ProtoWireReader r)
        {
            string name = "";
            var type = OnnxElementType.Undefined;
            var dims = new List<long?>();
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field == 1 && wire == ProtoWireReader.LengthDelimited) name = r.ReadString();
                else if (field == 2 && wire == ProtoWireReader.LengthDelimited)
                {
                    var typeProto = r.ReadNested();
                    while (typeProto.TryReadTag(out int tf, out int tw))
                    {
                        if (tf != 1 || tw != ProtoWireReader.LengthDelimited) { typeProto.Skip(tw); continue; }
                        var tensorType = typeProto.ReadNested();
                        while (tensorType.TryReadTag(out int ef, out int ew))
                        {
                            if (ef == 1 && ew == ProtoWireReader.Varint) type = (OnnxElementType)(int)tensorType.ReadVarint();
                            else if (ef == 2 && ew == ProtoWireReader.LengthDelimited)
                            {
                                var shape = tensorType.ReadNested();
                                while (shape.TryReadTag(out int sf, out int sw))
                                {
                                    if (sf != 1 || sw != ProtoWireReader.LengthDelimited) { shape.Skip(sw); continue; }
                                    var dim = shape.ReadNested();
                                    long? value = null;
                                    while (dim.TryReadTag(out int df, out int dw))
                                    {
                                        if (df == 1 && dw == ProtoWireReader.Varint) value = (long)dim.ReadVarint();
                                        else dim.Skip(dw);
                                    }
                                    dims.Add(value);
                                }
                            }
                            else tensorType.Skip(ew);
                        }
                    }
                }
                else r.Skip(wire);
            }
            return new OnnxValueInfo(name, type, dims);
        }

        private OnnxInitializer Tensor(ProtoWireReader r)
        {
            var t = new TensorFields();
            while (r.TryReadTag(out int field, out int wire)) ReadTensorField(ref r, field, wire, t);

            string label = t.Name.Length > 0 ? $"'{t.Name}'" : $"(unnamed, {context})";
            if (t.External)
                throw new InvalidDataException(
                    $"tensor {label} keeps its data in an external file{(t.Location is null ? "" : $" ('{t.Location}')")}; the reader only handles tensors stored inside the model file " +
                    "(re-save it with onnx.save_model(model, path, save_as_external_data=False))");
            var type = (OnnxElementType)t.DataType;
            int size = ElementSize(type)
                ?? throw new InvalidDataException($"tensor {label} has data type {t.DataType}, which the reader does not know");
            var dims = t.Dims;
            long count;
            try
            {
                count = OnnxInitializer.ElementCountOf(dims);
            }
            catch (OverflowException)
            {
                throw new InvalidDataException($"tensor {label} has dims [{string.Join(", ", dims)}] whose element count overflows");
            }
            if (dims.Any(d => d < 0)) throw new InvalidDataException($"tensor {label} has a negative dimension in [{string.Join(", ", dims)}]");
            string expected = $"dims [{string.Join(", ", dims)}] ({count} elements of {type})";

            if (type == OnnxElementType.String)
            {
                if (t.StringCount != count) throw new InvalidDataException($"tensor {label} has {expected} but string_data holds {t.StringCount} strings");
                return new OnnxInitializer(t.Name, type, [.. dims], []);
            }
            return new OnnxInitializer(t.Name, type, [.. dims], TensorData(r, t, type, size, count, $"tensor {label} has {expected}"));
        }

        /// <summary>The tensor's bytes from <c>raw_data</c> or from the typed field its type uses, checked against <paramref name="count"/>.</summary>
        private static byte[] TensorData(in ProtoWireReader r, TensorFields t, OnnxElementType type, int size, long count, string described)
        {
            if (t.Raw is { } raw)
            {
                if (raw.Length != count * size)
                    throw new InvalidDataException($"{described} = {count * size} bytes but raw_data holds {raw.Length} bytes");
                return r.Slice(raw.Start, raw.Length).ToArray();
            }
            (int have, string fieldName) = type switch
            {
                OnnxElementType.Float => (t.FloatCount, "float_data"),
                OnnxElementType.Double => (t.DoubleCount, "double_data"),
                OnnxElementType.Int64 => (t.Int64Count, "int64_data"),
                OnnxElementType.UInt32 or OnnxElementType.UInt64 => (t.UInt64Count, "uint64_data"),
                _ => (t.Int32Count, "int32_data"),
            };
            if (have != count)
                throw new InvalidDataException($"{described} but {fieldName} holds {have} values" + (have == 0 ? " (no data at all)" : ""));
            return type is OnnxElementType.Float or OnnxElementType.Double ? t.Bytes.WrittenSpan.ToArray() : PackIntegers(t.Integers, size);
        }

        /// <summary>Reads one field of a <c>TensorProto</c> into <paramref name="t"/> (unknown fields are skipped); advances <paramref name="r"/> past it.</summary>
        private void ReadTensorField(ref ProtoWireReader r, int field, int wire, TensorFields t)
        {
            switch (field, wire)
            {
                case (1, ProtoWireReader.Varint): t.Dims.Add((long)r.ReadVarint()); break;
                case (1, ProtoWireReader.LengthDelimited):
                    var packedDims = r.ReadNested();
                    while (!packedDims.AtEnd) t.Dims.Add((long)packedDims.ReadVarint());
                    break;
                case (2, ProtoWireReader.Varint): t.DataType = (int)r.ReadVarint(); break;
                case (3, _): throw new NotSupportedException($"A tensor in '{source}' ({context}) is split into segments, which the reader does not support.");
                case (4, ProtoWireReader.Fixed32): AppendFixed(t.Bytes, r.ReadFixed32()); t.FloatCount++; break;
                case (4, ProtoWireReader.LengthDelimited):
                    var (fs, fl) = r.ReadLengthDelimited();
                    if (fl % 4 != 0) throw new InvalidDataException($"packed float_data of {fl} bytes is not a whole number of floats");
                    t.Bytes.Write(r.Slice(fs, fl));
                    t.FloatCount += fl / 4;
                    break;
                case (5, ProtoWireReader.Varint): t.Integers.Add((int)r.ReadVarint()); t.Int32Count++; break;
                case (5, ProtoWireReader.LengthDelimited):
                    var packed32 = r.ReadNested();
                    while (!packed32.AtEnd) { t.Integers.Add((int)packed32.ReadVarint()); t.Int32Count++; }
                    break;
                case (6, ProtoWireReader.LengthDelimited): r.ReadLengthDelimited(); t.StringCount++; break;
                case (7, ProtoWireReader.Varint): t.Integers.Add((long)r.ReadVarint()); t.Int64Count++; break;
                case (7, ProtoWireReader.LengthDelimited):
                    var packed64 = r.ReadNested();
                    while (!packed64.AtEnd) { t.Integers.Add((long)packed64.ReadVarint()); t.Int64Count++; }
                    break;
                case (8, ProtoWireReader.LengthDelimited): t.Name = r.ReadString(); break;
                case (9, ProtoWireReader.LengthDelimited): t.Raw = r.ReadLengthDelimited(); break;
                case (10, ProtoWireReader.Fixed64): AppendFixed(t.Bytes, r.ReadFixed64()); t.DoubleCount++; break;
                case (10, ProtoWireReader.LengthDelimited):
                    var (ds, dl) = r.ReadLengthDelimited();
                    if (dl % 8 != 0) throw new InvalidDataException($"packed double_data of {dl} bytes is not a whole number of doubles");
                    t.Bytes.Write(r.Slice(ds, dl));
                    t.DoubleCount += dl / 8;
                    break;
                case (11, ProtoWireReader.Varint): t.Integers.Add((long)r.ReadVarint()); t.UInt64Count++; break;
                case (11, ProtoWireReader.LengthDelimited):
                    var packedU64 = r.ReadNested();
                    while (!packedU64.AtEnd) { t.Integers.Add((long)packedU64.ReadVarint()); t.UInt64Count++; }
                    break;
                case (13, ProtoWireReader.LengthDelimited):
                    t.External = true;
                    if (ExternalDataEntry(r.ReadNested()) is ("location", var value)) t.Location = value;
                    break;
                case (14, ProtoWireReader.Varint): t.External |= r.ReadVarint() == 1; break;
                default: r.Skip(wire); break;
            }
        }

        /// <summary>The key and value of an <c>external_data</c> entry (a <c>StringStringEntryProto</c>).</summary>
        private static (string Key, string Value) ExternalDataEntry(ProtoWireReader entry)
        {
            string key = "", value = "";
            while (entry.TryReadTag(out int ef, out int ew))
            {
                if (ef == 1 && ew == ProtoWireReader.LengthDelimited) key = entry.ReadString();
                else if (ef == 2 && ew == ProtoWireReader.LengthDelimited) value = entry.ReadString();
                else entry.Skip(ew);
            }
            return (key, value);
        }

        /// <summary>The fields of a <c>TensorProto</c> as read: shape, type, name and the data in whichever field holds it.</summary>
        private sealed class TensorFields
        {
            public string Name { get; set; } = "";

            public int DataType { get; set; }

            public List<long> Dims { get; } = [];

            /// <summary>float_data / double_data, already little-endian.</summary>
            public ArrayBufferWriter<byte> Bytes { get; } = new();

            /// <summary>int32_data / int64_data / uint64_data.</summary>
            public List<long> Integers { get; } = [];

            public int FloatCount { get; set; }

            public int DoubleCount { get; set; }

            public int Int32Count { get; set; }

            public int Int64Count { get; set; }

            public int UInt64Count { get; set; }

            public int StringCount { get; set; }

            /// <summary>Where raw_data lies in the reader's buffer, or null.</summary>
            public (int Start, int Length)? Raw { get; set; }

            public bool External { get; set; }

            public string? Location { get; set; }
        }

        private static void AppendFixed(ArrayBufferWriter<byte> writer, uint value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), value);
            writer.Advance(4);
        }

        private static void AppendFixed(ArrayBufferWriter<byte> writer, ulong value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(writer.GetSpan(8), value);
            writer.Advance(8);
        }

        // int32_data holds every type narrower than 32 bits (float16 and bfloat16 as their bit patterns); int64_data and
        // uint64_data hold 64-bit values (uint32 included).
        private static byte[] PackIntegers(List<long> values, int size)
        {
            var result = new byte[values.Count * size];
            var span = result.AsSpan();
            for (int k = 0; k < values.Count; k++)
            {
                long v = values[k];
                switch (size)
                {
                    case 1: span[k] = (byte)v; break;
                    case 2: MemoryMarshal.Write(span[(k * 2)..], (ushort)v); break;
                    case 4: MemoryMarshal.Write(span[(k * 4)..], (uint)v); break;
                    default: MemoryMarshal.Write(span[(k * 8)..], v); break;
                }
            }
            return result;
        }

        private static int? ElementSize(OnnxElementType type) => type switch
        {
            OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
            OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.UInt64 => 8,
            OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
            OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 2,
            OnnxElementType.String => 0,
            _ => null,
        };
    }
}
