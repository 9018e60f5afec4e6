using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Onnx.Tests.Inference;
using Emotion.Torch.Import;
using Emotion.Torch.Weights;
using Google.Protobuf;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Import;

/// <summary>The hand-written ONNX reader of Emotion.Torch on tiny files written here (generated protobuf classes, raw wire bytes, the library's OnnxGraphBuilder).</summary>
public sealed class OnnxGraphReaderTests : IDisposable
{
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    private static readonly float[] Values = [1.5f, -2.25f, 3e-8f, 65504f, float.Epsilon, -0f];

    /// <summary>A model whose graph has the same six floats as float_data and as raw_data, int64 both ways, float16 and uint8 in int32_data, and one node.</summary>
    private static ModelProto TinyModel()
    {
        var graph = new GraphProto { Name = "tiny" };
        var asFloatData = new TensorProto { Name = "w_float_data", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2, 3 } };
        asFloatData.FloatData.AddRange(Values);
        graph.Initializer.Add(asFloatData);
        graph.Initializer.Add(OnnxTensors.Float("w_raw_data", Values, 2, 3));
        var ints = new TensorProto { Name = "i_int64_data", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 3 } };
        ints.Int64Data.AddRange([-1, long.MaxValue, 7]);
        graph.Initializer.Add(ints);
        graph.Initializer.Add(OnnxTensors.Int64("i_raw_data", [-1, long.MaxValue, 7], 3));
        var half = new TensorProto { Name = "h_int32_data", DataType = (int)TensorProto.Types.DataType.Float16, Dims = { 2 } };
        half.Int32Data.AddRange([BitConverter.HalfToInt16Bits((Half)1.5f), BitConverter.HalfToInt16Bits((Half)(-0.25f))]);
        graph.Initializer.Add(half);
        var bytes = new TensorProto { Name = "u8_int32_data", DataType = (int)TensorProto.Types.DataType.Uint8, Dims = { 1, 3 } };
        bytes.Int32Data.AddRange([0, 128, 255]);
        graph.Initializer.Add(bytes);
        var scalar = new TensorProto { Name = "scalar", DataType = (int)TensorProto.Types.DataType.Float };
        scalar.FloatData.Add(42f);
        graph.Initializer.Add(scalar);
        graph.Node.Add(new NodeProto
        {
            Name = "conv0",
            OpType = "Conv",
            Input = { "x", "w_raw_data", "" },
            Output = { "y" },
            Attribute =
            {
                OnnxAttribute.Ints("pads", 3, 3, 2, 2),
                OnnxAttribute.Int("group", 1),
                OnnxAttribute.Float("epsilon", 1e-5f),
                OnnxAttribute.String("auto_pad", "NOTSET"),
            },
        });
        graph.Input.Add(new ValueInfoProto
        {
            Name = "x",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "n" }, new TensorShapeProto.Types.Dimension { DimValue = 3 } } } } },
        });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        return new ModelProto { IrVersion = 8, ProducerName = "tests", ProducerVersion = "1", Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } } };
    }

    [Fact]
    public void ReadsFloatDataRawDataInt64Float16AndUint8Alike()
    {
        string path = dir.File("tiny.onnx");
        File.WriteAllBytes(path, TinyModel().ToByteArray());
        var graph = OnnxGraphReader.Read(path);

        Assert.Equal(("tiny", "tests", 8L, 17L), (graph.Name, graph.ProducerName, graph.IrVersion, graph.OpsetVersion!.Value));
        Assert.Equal(Values, graph.GetInitializer("w_float_data").ToFloats());
        Assert.Equal(Values, graph.GetInitializer("w_raw_data").ToFloats());
        Assert.Equal([2L, 3], graph.GetInitializer("w_float_data").Dims);
        Assert.Equal([-1L, long.MaxValue, 7], graph.GetInitializer("i_int64_data").ToInt64s());
        Assert.Equal([-1L, long.MaxValue, 7], graph.GetInitializer("i_raw_data").ToInt64s());
        Assert.Equal([1.5f, -0.25f], graph.GetInitializer("h_int32_data").ToFloats());
        Assert.Equal([0L, 128, 255], graph.GetInitializer("u8_int32_data").ToInt64s());
        Assert.Empty(graph.GetInitializer("scalar").Dims);
        Assert.Equal([42f], graph.GetInitializer("scalar").ToFloats());

        var node = Assert.Single(graph.Nodes);
        Assert.Equal(("Conv", "conv0"), (node.OpType, node.Name));
        Assert.Equal(["x", "w_raw_data", ""], node.Inputs);
        Assert.Equal([3L, 3, 2, 2], node.GetInts("pads", []));
        Assert.Equal(1, node.GetInt("group", 0));
        Assert.Equal(1e-5f, node.GetFloat("epsilon", 0));
        Assert.Equal("NOTSET", node.GetString("auto_pad", ""));
        Assert.Equal(node, graph.ProducerOf("y"));
        Assert.Equal([node], graph.ConsumersOf("w_raw_data"));
        Assert.Equal("x: Float [?, 3]", graph.Inputs.Single().ToString());

        // The state dictionary keeps each initializer's type and shape; StateDictFile reads .onnx files the same way.
        Assert.Equal(WeightsFormat.Onnx, StateDictFile.DetectFormat(path));
        var dict = StateDictFile.Read(path);
        try
        {
            Assert.Equal(7, dict.Count);
            Assert.Equal(ScalarType.Float32, dict["w_float_data"].dtype);
            Assert.Equal(ScalarType.Int64, dict["i_raw_data"].dtype);
            Assert.Equal(ScalarType.Float16, dict["h_int32_data"].dtype);
            Assert.Equal(ScalarType.Byte, dict["u8_int32_data"].dtype);
            Assert.True(dict["w_float_data"].equal(dict["w_raw_data"]).all().item<bool>());
            Assert.Equal([2L, 3], dict["w_raw_data"].shape);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    [Fact]
    public void ReadsWhatTheLibraryExporterWrites()
    {
        var g = new OnnxGraphBuilder("builder");
        string x = g.AddInput("x", ["n", 4]);
        string w = g.AddInitializer("w", [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 4, 2);
        string shape = g.AddInt64Initializer("shape", [-1, 2], 2);
        string y = g.AddNode("MatMul", [x, w], "y");
        g.AddNode("Reshape", [y, shape], "z");
        g.AddOutput("z", ["n", 2]);
        var graph = OnnxGraphReader.Read(g.Build().ToByteArray(), "builder-in-memory");
        Assert.Equal(["MatMul", "Reshape"], graph.Nodes.Select(n => n.OpType));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], graph.GetInitializer("w").ToFloats());
        Assert.Equal([-1L, 2], graph.GetInitializer("shape").ToInt64s());
        Assert.Equal(["z"], graph.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void TruncatedFileFailsNamingTheFile()
    {
        var bytes = TinyModel().ToByteArray();
        string path = dir.File("cut.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraphReader.Read(path));
        Assert.Contains("cut.onnx", e.Message);
        Assert.Contains("truncated", e.Message);

        File.WriteAllBytes(path, []);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => OnnxGraphReader.Read(path)).Message);
        File.WriteAllBytes(path, "not a model at all"u8.ToArray());
        Assert.Contains("cut.onnx", Assert.Throws<InvalidDataException>(() => OnnxGraphReader.Read(path)).Message);
        Assert.Throws<FileNotFoundException>(() => OnnxGraphReader.Read(dir.File("absent.onnx")));
    }

    [Fact]
    public void InconsistentOrExternalTensorsFailNamingTheFileAndTheTensor()
    {
        var model = TinyModel();
        model.Graph.Initializer[0].FloatData.RemoveAt(5);
        var e = Assert.Throws<InvalidDataException>(() => OnnxGraphReader.Read(model.ToByteArray(), "short.onnx"));
        Assert.Contains("short.onnx", e.Message);
        Assert.Contains("'w_float_data'", e.Message);
        Assert.Contains("dims [2, 3] (6 elements of Float) but float_data holds 5 values", e.Message);

        // The exporter's proto subset has no external_data / data_location fields: write the tensor's wire bytes by hand.
        var tensor = new MemoryStream();
        var output = new CodedOutputStream(tensor);
        output.WriteTag(1, WireFormat.WireType.Varint); output.WriteInt64(4);                      // dims
        output.WriteTag(2, WireFormat.WireType.Varint); output.WriteInt32(1);                      // data_type FLOAT
        output.WriteTag(8, WireFormat.WireType.LengthDelimited); output.WriteString("big_weight");  // name
        var entry = new MemoryStream();
        var entryOut = new CodedOutputStream(entry);
        entryOut.WriteTag(1, WireFormat.WireType.LengthDelimited); entryOut.WriteString("location");
        entryOut.WriteTag(2, WireFormat.WireType.LengthDelimited); entryOut.WriteString("weights.bin");
        entryOut.Flush();
        output.WriteTag(13, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(entry.ToArray())); // external_data
        output.WriteTag(14, WireFormat.WireType.Varint); output.WriteInt32(1);                     // data_location EXTERNAL
        output.Flush();
        var external = TinyModel();
        var graphBytes = external.Graph.ToByteArray().Concat(Frame(5, tensor.ToArray())).ToArray();
        var modelBytes = Frame(7, graphBytes);
        var ex = Assert.Throws<InvalidDataException>(() => OnnxGraphReader.Read(modelBytes, "external.onnx"));
        Assert.Contains("external.onnx", ex.Message);
        Assert.Contains("'big_weight'", ex.Message);
        Assert.Contains("external file ('weights.bin')", ex.Message);
    }

    /// <summary>A length-delimited field: tag, length, bytes.</summary>
    private static byte[] Frame(int field, byte[] payload)
    {
        var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }
}
