using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Precision;
using Emotion.Onnx.Export.Protos;
using Emotion.Onnx.Tests.Export;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Google.Protobuf;

namespace Emotion.Onnx.Tests.Precision;

/// <summary>
/// Float16Converter on a hand-built graph (every converted weight, Cast and kept-float32 operator checked, outputs against
/// values computed here in <see cref="Half"/> arithmetic) and on exported CNN + GRU models run by ONNX Runtime's CPU provider
/// (every output within float16's rounding of the float32 model's, weights half the bytes), plus its error paths.
/// </summary>
public sealed class Float16ConverterTests : IDisposable
{
    private const int Float = (int)TensorProto.Types.DataType.Float, Float16 = (int)TensorProto.Types.DataType.Float16;
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    // x [N, 3] -> Mul(w) -> Add(Constant c) -> Max(m) -> y [N, 3]; w has a value beyond float16's range (clamped), Max is kept float32.
    private static ModelProto HandBuilt()
    {
        var g = new OnnxGraphBuilder("hand");
        g.AddInput("x", ["batch", 3]);
        g.AddInitializer("w", [0.1f, -3.3f, 1e5f], 3);
        g.AddInitializer("m", [-0.2f, 0.05f, -1e6f], 3);
        g.AddNode("Mul", ["x", "w"], "mul");
        g.AddNode("Constant", [], "c", OnnxAttribute.Tensor("value", OnnxTensors.Float("c", [0.3f, 0.3f, 0.3f], 3)));
        g.AddNode("Add", ["mul", "c"], "add");
        g.AddNode("Max", ["add", "m"], "y");
        g.AddOutput("y", ["batch", 3]);
        g.AddMetadata("emotion.test", "kept");
        return g.Build();
    }

    private static float H(float v) => (float)(Half)v;

    [Fact]
    public void HandBuiltGraphGetsFloat16WeightsCastsAtTheBoundaryAndKeepsMaxInFloat32()
    {
        var fp16 = Float16Converter.Convert(HandBuilt());
        var graph = fp16.Graph;
        var init = graph.Initializer.ToDictionary(t => t.Name);

        // w: float16, rounded to nearest, 1e5 clamped to 65504; m is read only by Max (kept float32), so it stays float32.
        Assert.Equal(Float16, init["w"].DataType);
        Assert.Equal(new[] { H(0.1f), H(-3.3f), 65504f }, Float16Converter.ReadFloat16s(init["w"]));
        Assert.Equal(0.0999755859375f, Float16Converter.ReadFloat16s(init["w"])[0]);
        Assert.Equal(Float, init["m"].DataType);
        var constant = graph.Node.Single(n => n.OpType == "Constant");
        Assert.Equal(Float16, constant.Attribute.Single().T.DataType);

        // The input and output stay float32 behind Casts; Max reads a float32 cast of 'add' and its output is cast back.
        Assert.Equal(Float, graph.Input.Single().Type.TensorType.ElemType);
        Assert.Equal(Float, graph.Output.Single().Type.TensorType.ElemType);
        var first = graph.Node[0];
        Assert.Equal(("Cast", "x", Float16), (first.OpType, first.Input[0], (int)first.Attribute.Single().I));
        var last = graph.Node[^1];
        Assert.Equal(("Cast", "y", Float), (last.OpType, last.Output[0], (int)last.Attribute.Single().I));
        var max = graph.Node.Single(n => n.OpType == "Max");
        var maxInput = graph.Node.Single(n => n.Output.Contains(max.Input[0]));
        Assert.Equal(("Cast", "add", Float), (maxInput.OpType, maxInput.Input[0], (int)maxInput.Attribute.Single().I));
        Assert.Equal("m", max.Input[1]);
        var maxOutput = graph.Node.Single(n => n.Input.Contains(max.Output[0]));
        Assert.Equal(("Cast", Float16), (maxOutput.OpType, (int)maxOutput.Attribute.Single().I));

        var meta = fp16.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(OnnxMetadataKeys.PrecisionFloat16, meta[OnnxMetadataKeys.Precision]);
        Assert.Equal("kept", meta["emotion.test"]);

        // ONNX Runtime (CPU): every float16 operation rounds its result to float16; a product of two float16 values is exact
        // in float32, so each step below is the correctly rounded float16 result ONNX Runtime must produce.
        float[] x = [1.7f, 0.45f, -2.2f, 0.01f, 2f, 1f];
        using var session = OrtHelper.Session(fp16);
        var y = OrtHelper.Run(session, ("x", new FloatTensor(x, [2, 3])))["y"];
        float[] w = [H(0.1f), H(-3.3f), 65504f], m = [-0.2f, 0.05f, -1e6f];
        for (int i = 0; i < x.Length; i++)
        {
            float add = H(H(H(x[i]) * w[i % 3]) + H(0.3f));
            float expected = H(Math.Max(add, m[i % 3]));
            Assert.True(expected == y.Data[i], $"y[{i}]: expected {expected}, ONNX Runtime gave {y.Data[i]}");
        }
    }

    [Theory]
    [InlineData(BackboneNames.SmallCnn, "gru")]
    [InlineData(BackboneNames.MobileNetV3Small, "lstm")]
    public void ExportedModelRunsOnOnnxRuntimeCpuAndAgreesWithFloat32OnEveryOutput(string backbone, string head)
    {
        const int size = 32, hidden = 16;
        using var model = ExportFixture.Build(backbone, head == "gru" ? HeadSpec.Gru(hidden) : HeadSpec.Lstm(hidden), EmotionTask.Combined, size, seed: 5);
        var fp32 = OnnxExporter.ToModel(model);
        var fp16 = Float16Converter.Convert(fp32);

        // Every float32 weight is float16 now, the same tensors with the same shapes; the bytes of the weights halve.
        var before = fp32.Graph.Initializer.Where(t => t.DataType == Float).ToDictionary(t => t.Name);
        var after = fp16.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.DoesNotContain(fp16.Graph.Initializer, t => t.DataType == Float);
        foreach (var (name, t) in before)
        {
            Assert.Equal(Float16, after[name].DataType);
            Assert.Equal(t.Dims, after[name].Dims);
            Assert.Equal(OnnxTensors.ReadFloats(t).Select(H), Float16Converter.ReadFloat16s(after[name]));
        }
        long weights32 = before.Values.Sum(t => (long)t.RawData.Length), weights16 = before.Keys.Sum(n => (long)after[n].RawData.Length);
        Assert.Equal(weights32, 2 * weights16);
        string path32 = dir.File($"{backbone}-fp32.onnx"), path16 = dir.File($"{backbone}-fp16.onnx");
        OnnxModelFile.Save(fp32, path32);
        Float16Converter.ConvertFile(path32, path16);
        double ratio = (double)new FileInfo(path16).Length / new FileInfo(path32).Length;
        Assert.InRange(ratio, 0.45, 0.55);

        // Inputs and outputs keep their names and float32 type; the metadata is kept.
        Assert.Equal(fp32.Graph.Input.Select(i => (i.Name, i.Type.TensorType.ElemType)), fp16.Graph.Input.Select(i => (i.Name, i.Type.TensorType.ElemType)));
        Assert.Equal(fp32.Graph.Output.Select(o => (o.Name, o.Type.TensorType.ElemType)), fp16.Graph.Output.Select(o => (o.Name, o.Type.TensorType.ElemType)));
        foreach (var p in fp32.MetadataProps) Assert.Equal(p.Value, fp16.MetadataProps.Single(q => q.Key == p.Key).Value);

        // Every output within float16's rounding. Each float16 rounding is off by at most 2^-11 = 4.9e-4 relative; the
        // weights, the input and each layer's activations are rounded (about 25 roundings through this network), so the
        // logits may drift by about 1e-2 relative at worst; probabilities (in [0, 1]) and valence/arousal (tanh, in
        // [-1, 1]) by less than 1e-2 absolute, the recurrent state (tanh-bounded) likewise. The difference must not be
        // zero either: the converted model really computes in float16.
        using var s32 = OrtHelper.Session(fp32);
        using var s16 = OrtHelper.Session(OnnxModelFile.Load(path16));
        var random = new Random(3);
        var frames = new FloatTensor([.. Enumerable.Range(0, 2 * 4 * 3 * size * size).Select(_ => (float)(random.NextDouble() * 4 - 2))], [2, 4, 3, size, size]);
        var state = new FloatTensor([.. Enumerable.Range(0, 2 * hidden).Select(_ => (float)(random.NextDouble() - 0.5))], [1, 2, hidden]);
        var inputs = new List<(string, FloatTensor)> { (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, state) };
        if (head == "lstm") inputs.Add((OnnxTensorNames.CellIn, state));
        var a = OrtHelper.Run(s32, [.. inputs]);
        var b = OrtHelper.Run(s16, [.. inputs]);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains(OnnxTensorNames.HiddenOut, a.Keys);
        double largest = 0;
        foreach (var (name, expected) in a)
        {
            double tolerance = name == OnnxTensorNames.Logits ? 0.05 : 1e-2;
            OrtHelper.AssertClose(expected, b[name], tolerance, $"{backbone} + {head} fp16 '{name}'");
            largest = Math.Max(largest, expected.Data.Zip(b[name].Data, (p, q) => Math.Abs(p - q)).Max());
        }
        Assert.True(largest > 0, "the float16 model gave exactly the float32 outputs: nothing was converted");
    }

    [Fact]
    public void PredictorRunsTheFloat16FileUnchanged()
    {
        const int size = 32;
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, HeadSpec.Gru(8), EmotionTask.Categorical, size, seed: 9);
        string path32 = dir.File("p-fp32.onnx"), path16 = dir.File("p-fp16.onnx");
        OnnxExporter.Export(model, path32);
        Float16Converter.ConvertFile(path32, path16);
        var random = new Random(4);
        var frames = Enumerable.Range(0, 3 * 3 * size * size).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var options = new EmotionPredictorOptions { IntraOpThreads = 1 };
        using var p32 = new EmotionPredictor(path32, options);
        using var p16 = new EmotionPredictor(path16, options);
        var a = p32.PredictPreprocessed(frames, 1, 3);
        var b = p16.PredictPreprocessed(frames, 1, 3);
        Assert.Equal(3, b.Count);
        for (int i = 0; i < a.Count; i++)
            for (int c = 0; c < a[i].Probabilities.Length; c++)
                Assert.True(Math.Abs(a[i].Probabilities[c] - b[i].Probabilities[c]) < 1e-2, $"frame {i} class {c}: {a[i].Probabilities[c]} vs {b[i].Probabilities[c]}");
    }

    [Fact]
    public void QuantizedFloat16AndControlFlowModelsAreRefusedClearly()
    {
        var fp16 = Float16Converter.Convert(HandBuilt());
        var again = Assert.Throws<NotSupportedException>(() => Float16Converter.Convert(fp16));
        Assert.Contains("already float16", again.Message);

        var int8 = HandBuilt();
        int8.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.Precision, Value = OnnxMetadataKeys.PrecisionInt8 });
        Assert.Contains("quantized", Assert.Throws<NotSupportedException>(() => Float16Converter.Convert(int8)).Message);

        var loop = HandBuilt();
        var node = new NodeProto { Name = "if_node", OpType = "If" };
        node.Input.Add("x");
        node.Output.Add("z");
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = new GraphProto { Name = "then" } });
        loop.Graph.Node.Add(node);
        Assert.Contains("'if_node' (If) has a subgraph", Assert.Throws<NotSupportedException>(() => Float16Converter.Convert(loop)).Message);

        Assert.Throws<FileNotFoundException>(() => Float16Converter.ConvertFile(dir.File("missing.onnx"), dir.File("out.onnx")));
        Assert.False(File.Exists(dir.File("out.onnx")));
    }
}
