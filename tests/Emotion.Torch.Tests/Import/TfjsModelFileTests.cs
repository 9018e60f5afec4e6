using System.Buffers.Binary;
using Emotion.Torch.Import;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Import;

/// <summary>The TF.js reader on small hand-written manifests and shards with hand-computed values.</summary>
public sealed class TfjsModelFileTests : IDisposable
{
    private readonly TempFolder temp = new("emotion-torch-");
    private string dir => temp.Path;

    public void Dispose() => temp.Dispose();

    private string Write(string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private void WriteBytes(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(dir, name), bytes);

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    [Fact]
    public void Float32WeightsSpreadOverTwoShardsDecodeInManifestOrder()
    {
        // a: [2, 3] = 1..6, b: [2] = -1.5, 2.25 -> 32 bytes; the first shard ends inside a (after 5 floats).
        byte[] all = Floats(1, 2, 3, 4, 5, 6, -1.5f, 2.25f);
        WriteBytes("shard1.bin", all[..20]);
        WriteBytes("shard2.bin", all[20..]);
        string path = Write("manifest.json", """
            [{ "paths": ["shard1.bin", "shard2.bin"], "weights": [
              { "name": "layer/a", "shape": [2, 3], "dtype": "float32" },
              { "name": "layer/b", "shape": [2], "dtype": "float32" } ] }]
            """);

        var file = TfjsModelFile.Load(path);

        Assert.Equal(TfjsModelFormat.WeightsManifest, file.Format);
        Assert.Equal(["layer/a", "layer/b"], file.Names);
        Assert.Equal([2, 3], file["layer/a"].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], file["layer/a"].FloatValues.ToArray());
        Assert.Equal([-1.5f, 2.25f], file["layer/b"].FloatValues.ToArray());
        Assert.Equal(24, file.Weights[1].ByteOffset);
        using var t = file["layer/a"].ToTensor();
        Assert.Equal([2L, 3], t.shape);
        Assert.Equal(6f, t[1, 2].item<float>());
        Assert.Empty(file.Nodes);
    }

    [Fact]
    public void Uint8QuantizedWeightsAreQTimesScalePlusMin()
    {
        WriteBytes("q.bin", [0, 1, 128, 255, 7, 3]);
        string path = Write("manifest.json", """
            [{ "paths": ["q.bin"], "weights": [
              { "name": "w", "shape": [2, 2], "dtype": "float32", "quantization": { "dtype": "uint8", "scale": 0.5, "min": -1.0 } },
              { "name": "axes", "shape": [2], "dtype": "int32", "quantization": { "dtype": "uint8", "scale": 0.5, "min": 0 } } ] }]
            """);

        var file = TfjsModelFile.Load(path);

        // 0 * 0.5 - 1, 1 * 0.5 - 1, 128 * 0.5 - 1, 255 * 0.5 - 1
        Assert.Equal([-1f, -0.5f, 63f, 126.5f], file["w"].FloatValues.ToArray());
        // int32 targets round like JavaScript's Math.round: 3.5 -> 4, 1.5 -> 2.
        Assert.Equal(TfjsDataType.Int32, file["axes"].DataType);
        Assert.Equal([4, 2], file["axes"].IntValues.ToArray());
        Assert.Equal(new TfjsQuantization("uint8", 0.5, -1.0), file.Weights[0].Quantization);
        Assert.Equal(4, file.Weights[0].ByteLength);
    }

    [Fact]
    public void Uint16QuantizedWeightsAreLittleEndianLevelsTimesScalePlusMin()
    {
        // Levels 0, 1000, 65535 as little-endian uint16.
        WriteBytes("q16.bin", [0x00, 0x00, 0xE8, 0x03, 0xFF, 0xFF]);
        string path = Write("manifest.json", """
            [{ "paths": ["q16.bin"], "weights": [
              { "name": "w", "shape": [3], "dtype": "float32", "quantization": { "dtype": "uint16", "scale": 0.001, "min": -2.0 } } ] }]
            """);

        var values = TfjsModelFile.Load(path)["w"].FloatValues.ToArray();

        // Computed in double, then rounded to float32, as tfjs's Float32Array assignment does.
        Assert.Equal([(float)(0 * 0.001 - 2.0), (float)(1000 * 0.001 - 2.0), (float)(65535 * 0.001 - 2.0)], values);
        Assert.Equal(-2f, values[0]);
        Assert.Equal(-1f, values[1], 6);
        Assert.Equal(63.535f, values[2], 4);
    }

    [Fact]
    public void Float16WeightsDecodeAsStoredAndAsAQuantization()
    {
        byte[] halves = new byte[8];
        float[] expected = [1f, -2.5f, 0.099975586f, 65504f]; // 0.1 is not a half; 0.099975586 is the nearest one.
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteHalfLittleEndian(halves.AsSpan(2 * i), (Half)expected[i]);
        WriteBytes("h.bin", [.. halves, .. halves]);
        string path = Write("manifest.json", """
            [{ "paths": ["h.bin"], "weights": [
              { "name": "stored", "shape": [4], "dtype": "float16" },
              { "name": "quantized", "shape": [2, 2], "dtype": "float32", "quantization": { "dtype": "float16" } } ] }]
            """);

        var file = TfjsModelFile.Load(path);

        Assert.Equal(expected, file["stored"].FloatValues.ToArray());
        Assert.Equal(expected, file["quantized"].FloatValues.ToArray());
    }

    [Fact]
    public void GroupsEachHaveTheirOwnShardsAndOffsets()
    {
        WriteBytes("g0.bin", Floats(10, 20));
        var ints = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(ints, -7);
        BinaryPrimitives.WriteInt32LittleEndian(ints.AsSpan(4), 123456);
        WriteBytes("g1.bin", [.. ints, 1, 0, 1]);
        string path = Write("manifest.json", """
            [{ "paths": ["g0.bin"], "weights": [{ "name": "x", "shape": [2], "dtype": "float32" }] },
             { "paths": ["g1.bin"], "weights": [{ "name": "i", "shape": [2], "dtype": "int32" }, { "name": "flags", "shape": [3], "dtype": "bool" }] }]
            """);

        var file = TfjsModelFile.Load(path);

        Assert.Equal([10f, 20f], file["x"].FloatValues.ToArray());
        Assert.Equal([-7, 123456], file["i"].IntValues.ToArray());
        Assert.Equal([true, false, true], file["flags"].BoolValues.ToArray());
        Assert.Equal(1, file.Weights[1].Group);
        Assert.Equal(0, file.Weights[1].ByteOffset);
        Assert.Throws<InvalidOperationException>(() => file["i"].FloatValues);
    }

    [Fact]
    public void ATruncatedShardNamesTheFileTheTensorAndBothByteCounts()
    {
        WriteBytes("short.bin", Floats(1, 2, 3)); // 12 bytes; the manifest needs 4 + 16 = 20
        string path = Write("manifest.json", """
            [{ "paths": ["short.bin"], "weights": [
              { "name": "ok", "shape": [1], "dtype": "float32" },
              { "name": "conv/kernel", "shape": [1, 1, 2, 2], "dtype": "float32" } ] }]
            """);

        var e = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(path));

        Assert.Contains(Path.Combine(dir, "short.bin"), e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("'conv/kernel'", e.Message);
        Assert.Contains("needs 20 bytes", e.Message);
        Assert.Contains("holds 12", e.Message);
        Assert.DoesNotContain("'ok'", e.Message);
    }

    [Fact]
    public void AMissingShardNamesTheShardAndATensorStoredThere()
    {
        string path = Write("manifest.json", """
            [{ "paths": ["gone.bin"], "weights": [{ "name": "dense/kernel", "shape": [2, 2], "dtype": "float32" }] }]
            """);

        var e = Assert.Throws<FileNotFoundException>(() => TfjsModelFile.Load(path));

        Assert.Equal(Path.Combine(dir, "gone.bin"), e.FileName);
        Assert.Contains("gone.bin", e.Message);
        Assert.Contains("'dense/kernel'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void UnknownTypesAndDuplicateNamesAreRejectedWithTheTensorName()
    {
        WriteBytes("x.bin", new byte[64]);
        string badType = Write("type.json", """[{ "paths": ["x.bin"], "weights": [{ "name": "words", "shape": [1], "dtype": "string" }] }]""");
        string badQuant = Write("quant.json", """[{ "paths": ["x.bin"], "weights": [{ "name": "w", "shape": [1], "dtype": "float32", "quantization": { "dtype": "int4", "scale": 1, "min": 0 } }] }]""");
        string noScale = Write("scale.json", """[{ "paths": ["x.bin"], "weights": [{ "name": "w", "shape": [1], "dtype": "float32", "quantization": { "dtype": "uint8" } }] }]""");
        string duplicate = Write("dup.json", """
            [{ "paths": ["x.bin"], "weights": [{ "name": "w", "shape": [1], "dtype": "float32" }] },
             { "paths": ["x.bin"], "weights": [{ "name": "w", "shape": [1], "dtype": "float32" }] }]
            """);

        var e1 = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(badType));
        Assert.Contains("'words'", e1.Message);
        Assert.Contains("'string'", e1.Message);
        Assert.Contains(badType, e1.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(badQuant));
        Assert.Contains("'w'", e2.Message);
        Assert.Contains("'int4'", e2.Message);
        var e3 = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(noScale));
        Assert.Contains("lacks 'scale' or 'min'", e3.Message);
        var e4 = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(duplicate));
        Assert.Contains("'w' appears twice (groups 0 and 1)", e4.Message);
        var e5 = Assert.Throws<KeyNotFoundException>(() => TfjsModelFile.Load(Write("one.json", """[{ "paths": ["x.bin"], "weights": [{ "name": "a/b", "shape": [1], "dtype": "float32" }] }]"""))["a/c"]);
        Assert.Contains("'a/c'", e5.Message);
        Assert.Contains("a/b", e5.Message);
    }

    [Fact]
    public void AGraphModelExposesItsNodesAndAttributes()
    {
        WriteBytes("group1-shard1of1.bin", [.. Floats(0.5f, -0.25f, 2f, 4f), 1, 0, 0, 0, 2, 0, 0, 0]);
        string path = Write("model.json", """
            {
              "format": "graph-model",
              "modelTopology": { "node": [
                { "name": "input_1", "op": "Placeholder", "attr": { "dtype": { "type": "DT_FLOAT" } } },
                { "name": "conv/Conv2D", "op": "_FusedConv2D", "input": ["input_1", "conv/kernel", "conv/bias"],
                  "attr": { "strides": { "list": { "i": ["1", "2", "2", "1"] } }, "padding": { "s": "U0FNRQ==" },
                            "fused_ops": { "list": { "s": ["Qmlhc0FkZA==", "UmVsdQ=="] } } } }
              ], "versions": { "producer": 1 } },
              "weightsManifest": [{ "paths": ["group1-shard1of1.bin"], "weights": [
                { "name": "conv/kernel", "shape": [1, 1, 1, 2], "dtype": "float32" },
                { "name": "conv/bias", "shape": [2], "dtype": "float32" },
                { "name": "mean/axes", "shape": [2], "dtype": "int32" } ] }]
            }
            """);

        var file = TfjsModelFile.Load(path);

        Assert.Equal(TfjsModelFormat.GraphModel, file.Format);
        Assert.Equal(["input_1", "conv/Conv2D"], file.Nodes.Select(n => n.Name));
        var conv = file.GetNode("conv/Conv2D");
        Assert.Equal("_FusedConv2D", conv.Op);
        Assert.Equal(["input_1", "conv/kernel", "conv/bias"], conv.Inputs);
        Assert.Equal([1L, 2, 2, 1], conv.IntList("strides"));
        Assert.Equal("SAME", conv.String("padding"));
        Assert.Equal(["BiasAdd", "Relu"], conv.StringList("fused_ops"));
        Assert.Equal("DT_FLOAT", file.GetNode("input_1").Attribute("dtype").GetProperty("type").GetString());
        Assert.Throws<KeyNotFoundException>(() => conv.Attribute("dilations"));
        Assert.Equal([0.5f, -0.25f], file["conv/kernel"].FloatValues.ToArray());
        Assert.Equal([1, 2], file["mean/axes"].IntValues.ToArray());
        Assert.NotNull(file.ModelTopology);
        Assert.Throws<KeyNotFoundException>(() => file.GetNode("nope"));
    }

    [Fact]
    public void ALayersModelKeepsItsTopology()
    {
        WriteBytes("w.bin", Floats(3));
        string path = Write("model.json", """
            { "format": "layers-model", "modelTopology": { "class_name": "Sequential", "config": { "layers": [] } },
              "weightsManifest": [{ "paths": ["w.bin"], "weights": [{ "name": "dense/bias", "shape": [1], "dtype": "float32" }] }] }
            """);

        var file = TfjsModelFile.Load(path);

        Assert.Equal(TfjsModelFormat.LayersModel, file.Format);
        Assert.Equal("Sequential", file.ModelTopology!.Value.GetProperty("class_name").GetString());
        Assert.Equal([3f], file["dense/bias"].FloatValues.ToArray());
    }

    [Fact]
    public void LayoutsMoveTensorflowAxesToPytorchAxes()
    {
        using var scope = NewDisposeScope();
        // HWIO [kh=2, kw=3, in=4, out=5] with value = 1000 h + 100 w + 10 i + o.
        var hwio = zeros(2, 3, 4, 5);
        for (int h = 0; h < 2; h++) for (int w = 0; w < 3; w++) for (int i = 0; i < 4; i++) for (int o = 0; o < 5; o++)
            hwio[h, w, i, o] = 1000 * h + 100 * w + 10 * i + o;
        var oihw = TfjsLayout.ConvHwioToOihw(hwio);
        Assert.Equal([5L, 4, 2, 3], oihw.shape);
        Assert.Equal(1000 + 200 + 30 + 4, oihw[4, 3, 1, 2].item<float>());

        // Depthwise [kh=2, kw=2, C=3, M=2]: TF output channel c * M + m.
        var dw = zeros(2, 2, 3, 2);
        for (int h = 0; h < 2; h++) for (int w = 0; w < 2; w++) for (int c = 0; c < 3; c++) for (int m = 0; m < 2; m++)
            dw[h, w, c, m] = 1000 * h + 100 * w + 10 * c + m;
        var torchDw = TfjsLayout.DepthwiseToPyTorch(dw);
        Assert.Equal([6L, 1, 2, 2], torchDw.shape);
        Assert.Equal(1000 + 0 + 20 + 1, torchDw[2 * 2 + 1, 0, 1, 0].item<float>());

        var dense = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3); // [in 2, out 3]
        var linear = TfjsLayout.DenseToPyTorch(dense);
        Assert.Equal([3L, 2], linear.shape);
        Assert.Equal([1f, 4, 2, 5, 3, 6], linear.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => TfjsLayout.DenseToPyTorch(hwio, "x"));
    }

    [Theory]
    [InlineData(112, 3, 2, 0, 1)]
    [InlineData(7, 3, 2, 1, 1)]
    [InlineData(14, 3, 2, 0, 1)]
    [InlineData(5, 3, 1, 1, 1)]
    [InlineData(64, 1, 1, 0, 0)]
    [InlineData(8, 5, 2, 1, 2)]
    public void SamePaddingFollowsTensorflow(long size, long kernel, long stride, long before, long after) =>
        Assert.Equal((before, after), TfjsLayout.SamePadding(size, kernel, stride));

    [Fact]
    public void UnusedSourceTensorsAreReportedAsUnexpectedByTheStateDictLoader()
    {
        WriteBytes("w.bin", Floats(1, 2, 3, 4, 5, 6, 7, 8, 9));
        string path = Write("manifest.json", """
            [{ "paths": ["w.bin"], "weights": [
              { "name": "fc/kernel", "shape": [3, 2], "dtype": "float32" },
              { "name": "fc/bias", "shape": [2], "dtype": "float32" },
              { "name": "extra/thing", "shape": [1], "dtype": "float32" } ] }]
            """);
        var file = TfjsModelFile.Load(path);
        using var linear = nn.Linear(3, 2);

        var map = new TfjsStateDictBuilder(file).Dense("fc/kernel", "weight").Copy("fc/bias", "bias");
        Assert.Equal(["extra/thing"], map.Unused);
        var e = Assert.Throws<WeightsMismatchException>(() => map.Apply(linear));
        Assert.Equal(["extra/thing"], e.Unexpected);
        Assert.Empty(e.Missing);
        Assert.Contains(path, e.Message);

        var loaded = map.Consume("extra/thing").Apply(linear);
        Assert.Equal(WeightsFormat.TfJs, loaded.Format);
        Assert.Equal(["weight", "bias"], loaded.Loaded);
        Assert.Equal([1f, 3, 5, 2, 4, 6], linear.weight!.data<float>().ToArray());
        Assert.Equal([7f, 8], linear.bias!.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => map.Copy("fc/bias", "bias"));
    }

    // Regression tests from fuzzing (tests/fuzz, target tfjs): each input raised InvalidOperationException from System.Text.Json.

    [Fact]
    public void FuzzInvalidUtf8InAStringIsInvalidDataNamingTheFile()
    {
        WriteBytes("w.bin", Floats(3));
        string path = Path.Combine(dir, "model.json");
        byte[] json = System.Text.Encoding.UTF8.GetBytes("""[{ "paths": ["w.bin"], "weights": [{ "name": "dense/bXas", "shape": [1], "dtype": "float32" }] }]""");
        json[Array.IndexOf(json, (byte)'X')] = 0xFF;
        File.WriteAllBytes(path, json);

        var e = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    [Theory]
    [InlineData("""[{ "paths": [1], "weights": [] }]""", "paths of weight group 0")]
    [InlineData("""[{ "paths": [null], "weights": [] }]""", "paths of weight group 0")]
    [InlineData("""{ "format": "graph-model", "modelTopology": { "node": [{ "name": "n", "op": "Relu", "input": [7] }] }, "weightsManifest": [] }""", "inputs of graph node 'n'")]
    public void FuzzANonStringPathOrNodeInputIsInvalidData(string json, string what)
    {
        string path = Write("model.json", json);

        var e = Assert.Throws<InvalidDataException>(() => TfjsModelFile.Load(path));
        Assert.Contains(what, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("""{ "list": 5 }""")]
    [InlineData("""{ "list": { "i": 5, "s": "x" } }""")]
    public void FuzzAMalformedListAttributeIsAFormatError(string attr)
    {
        string path = Write("model.json", $$"""
            { "format": "graph-model", "modelTopology": { "node": [{ "name": "n", "op": "Conv2D", "attr": { "strides": {{attr}} } }] }, "weightsManifest": [] }
            """);
        var node = TfjsModelFile.Load(path).GetNode("n");

        Assert.Throws<FormatException>(() => node.IntList("strides"));
        Assert.Throws<FormatException>(() => node.StringList("strides"));
    }
}
