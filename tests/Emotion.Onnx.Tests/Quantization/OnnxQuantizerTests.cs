using Emotion.Testing;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Onnx.Export.Quantization;
using Emotion.Onnx.Tests.Export;
using Emotion.Onnx.Tests.Inference;
using Emotion.Synthetic;
using Emotion.Preprocessing.Transforms;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Emotion.Onnx.Tests.Quantization;

/// <summary>
/// OnnxQuantizer on a hand-built graph (every scale, zero point and int8 value checked against hand-computed numbers), on
/// exported CNN + GRU models (QDQ structure, ONNX Runtime's int8 fusions, outputs close to fp32) and its error paths.
/// </summary>
public sealed class OnnxQuantizerTests : IDisposable
{
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    // x [N, 3, 2, 2] -> Conv 1x1 (W = [[0.6, -1, 0.25], [0.3, 0.1, -0.4]], b = [0.1, -0.2]) -> Relu -> GlobalAveragePool -> Flatten -> y [N, 2].
    private static ModelProto HandBuiltConv()
    {
        var g = new OnnxGraphBuilder("hand");
        g.AddInput("x", ["batch", 3, 2, 2]);
        g.AddInitializer("w", [0.6f, -1.0f, 0.25f, 0.3f, 0.1f, -0.4f], 2, 3, 1, 1);
        g.AddInitializer("b", [0.1f, -0.2f], 2);
        g.AddNode("Conv", ["x", "w", "b"], "conv", OnnxAttribute.Ints("kernel_shape", 1, 1));
        g.AddNode("Relu", ["conv"], "relu");
        g.AddNode("GlobalAveragePool", ["relu"], "gap");
        g.AddNode("Flatten", ["gap"], "y", OnnxAttribute.Int("axis", 1));
        g.AddOutput("y", ["batch", 2]);
        return g.Build();
    }

    // Two calibration frames, channel-major (R, G, B planes of 4 pixels).
    private static readonly float[] FrameA = [1, 0.5f, -0.5f, 0, /**/ 0, 0.25f, 0.5f, -1, /**/ 2, -1, 0, 1];
    private static readonly float[] FrameB = [-1, 0, 0.5f, 1, /**/ 1, 0, 0, 0.5f, /**/ 0, 0, 1, -1.5f];

    [Fact]
    public void HandBuiltConvGetsTheHandComputedQdqTensorsAndRunsInOnnxRuntime()
    {
        var data = CalibrationData.FromSequences([FrameA, FrameB], 12);
        var result = OnnxQuantizer.Quantize(HandBuiltConv(), data, QuantizationOptions.Default with { Method = CalibrationMethod.MinMax, CalibrationThreads = 1 });
        var graph = result.Model.Graph;

        // The Relu is folded into the conv's output quantization; the conv now writes 'relu'.
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Relu");
        var conv = graph.Node.Single(n => n.OpType == "Conv");
        Assert.Equal("relu", conv.Output[0]);

        // Input x over both frames: [-1.5, 2] -> scale 3.5/255, zero point round(1.5 / (3.5/255)) = round(109.29) = 109.
        var (xScale, xZero) = QuantizeParameters(graph, "x");
        Assert.Equal(3.5f / 255, xScale, 1e-7f);
        Assert.Equal(109, xZero);
        // Conv + Relu per pixel (frame A: ch0 [1.2, 0, 0, 1.35], ch1 [0, 0.375, 0, 0]; frame B: ch0 [0, 0.1, 0.65, 0],
        // ch1 [0, 0, 0, 0.75]): range [0, 1.35] -> scale 1.35/255, zero point 0.
        var (reluScale, reluZero) = QuantizeParameters(graph, "relu");
        Assert.Equal(1.35f / 255, reluScale, 1e-6f);
        Assert.Equal(0, reluZero);
        // The pooling only feeds Flatten and the graph output: it stays fp32 and reads the dequantized ReLU output.
        var gap = graph.Node.Single(n => n.OpType == "GlobalAveragePool");
        Assert.Equal("DequantizeLinear", Producer(graph, gap.Input[0]).OpType);
        Assert.DoesNotContain(graph.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == "gap");

        // Weight: per-channel int8 behind DequantizeLinear(axis 0): scale max|w_c|/127, zero point 0.
        var wDq = Producer(graph, conv.Input[1]);
        Assert.Equal("DequantizeLinear", wDq.OpType);
        Assert.Equal(0, wDq.Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal(new sbyte[] { 76, -127, 32, 95, 32, -127 }, OnnxTensors.ReadInt8s(Initializer(graph, wDq.Input[0])));
        var wScales = OnnxTensors.ReadFloats(Initializer(graph, wDq.Input[1]));
        Assert.Equal(1f / 127, wScales[0], 1e-7f);
        Assert.Equal(0.4f / 127, wScales[1], 1e-7f);
        Assert.Equal(new sbyte[] { 0, 0 }, OnnxTensors.ReadInt8s(Initializer(graph, wDq.Input[2])));
        // Bias: int32 with scale x_scale * w_scale[c]: 0.1 / (3.5/255 / 127) = 925.29 -> 925; -0.2 / (3.5/255 * 0.4/127) = -4626.4 -> -4626.
        var bDq = Producer(graph, conv.Input[2]);
        Assert.Equal([925, -4626], OnnxTensors.ReadInt32s(Initializer(graph, bDq.Input[0])));
        var bScales = OnnxTensors.ReadFloats(Initializer(graph, bDq.Input[1]));
        Assert.Equal(xScale * wScales[1], bScales[1], 1e-10f);
        // The float weights are gone.
        Assert.DoesNotContain(graph.Initializer, t => t.Name is "w" or "b");

        Assert.Equal(new Dictionary<string, int> { ["Conv"] = 1 }, result.Int8Operators);
        Assert.Equal(["relu", "x"], result.Activations.Select(a => a.Tensor));
        Assert.Equal(1.35, result.Activations.Single(a => a.Tensor == "relu").Max, 1e-6);
        var meta = result.Model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(OnnxMetadataKeys.PrecisionInt8, meta[OnnxMetadataKeys.Precision]);
        Assert.Equal("minmax; 2 frames", meta[OnnxMetadataKeys.QuantizationCalibration]);
        Assert.StartsWith("qdq; weights int8 per-channel symmetric; activations uint8 asymmetric", meta[OnnxMetadataKeys.QuantizationScheme]);

        // ONNX Runtime runs it; frame A's channel means are [0.6375, 0.09375] in fp32. The error budget: input rounding
        // (x scale / 2 times sum|w| = 0.0069 x 1.85) plus the ReLU output's step (1.35/255): below 0.03.
        using var session = OrtHelper.Session(result.Model);
        var y = OrtHelper.Run(session, ("x", new FloatTensor(FrameA, [1, 3, 2, 2])))["y"];
        Assert.Equal(0.6375f, y.Data[0], 0.03f);
        Assert.Equal(0.09375f, y.Data[1], 0.03f);
    }

    // Why ActivationCalibrator reads calibrated graph inputs from its own feeds: ONNX Runtime hands a graph input fetched
    // as an output back as the feed's own buffer, and the NamedOnnxValue path pins that managed buffer only while Run
    // lasts. A compacting collection right after Run then leaves the fetched tensor reading stale memory (CI saw x's range
    // [-1.5, 1] where the frames span [-1.5, 2], frame A read as zeros). If this fact changes, the workaround can go.
    [Fact]
    public void OnnxRuntimeReturnsAFetchedGraphInputAsTheFeedBufferItself()
    {
        var model = HandBuiltConv();
        model.Graph.Output.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var session = OrtHelper.Session(model);
        var frame = (float[])FrameA.Clone();
        var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(frame, [1, 3, 2, 2])) };
        using var results = session.Run(feeds, ["x"]);
        var fetched = results.Single().AsTensor<float>();
        Assert.Equal(FrameA[0], fetched.GetValue(0));
        frame[0] = 42;
        Assert.Equal(42f, fetched.GetValue(0));
    }

    [Theory]
    [InlineData(QuantizedActivationType.UInt8, CalibrationMethod.Percentile)]
    [InlineData(QuantizedActivationType.Int8, CalibrationMethod.Entropy)]
    [InlineData(QuantizedActivationType.UInt8, CalibrationMethod.MinMax)]
    public void ExportedCnnGruBecomesQdqThatOnnxRuntimeFusesIntoInt8Kernels(QuantizedActivationType activations, CalibrationMethod method)
    {
        const int size = 32;
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, HeadSpec.Gru(16), EmotionTask.Combined, size, seed: 11);
        var fp32 = OnnxExporter.ToModel(model);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 6).Select(s => RandomFrames(4, size, 100 + s)), 3 * size * size);
        var result = OnnxQuantizer.Quantize(fp32, calibration, QuantizationOptions.Default with { Activations = activations, Method = method, CalibrationThreads = 1 });
        var graph = result.Model.Graph;

        int convs = fp32.Graph.Node.Count(n => n.OpType == "Conv");
        Assert.True(convs >= 4, $"the small CNN has {convs} convolutions");
        Assert.Equal(convs, result.Int8Operators["Conv"]);
        var byName = graph.Initializer.ToDictionary(t => t.Name);
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv"))
        {
            // Activation and weight both come from DequantizeLinear; the weight is int8 per output channel.
            Assert.Equal("DequantizeLinear", Producer(graph, conv.Input[0]).OpType);
            var dq = Producer(graph, conv.Input[1]);
            var w = byName[dq.Input[0]];
            Assert.Equal((int)TensorProto.Types.DataType.Int8, w.DataType);
            Assert.Equal(w.Dims[0], byName[dq.Input[1]].Dims.Single());
            Assert.Equal(0, dq.Attribute.Single(a => a.Name == "axis").I);
            var consumer = graph.Node.Single(n => n.Input.Contains(conv.Output[0]));
            Assert.Equal("QuantizeLinear", consumer.OpType);
            var zeroType = byName[consumer.Input[2]].DataType;
            Assert.Equal(activations == QuantizedActivationType.Int8 ? (int)TensorProto.Types.DataType.Int8 : (int)TensorProto.Types.DataType.Uint8, zeroType);
        }
        // The recurrent head and the output layers stay fp32, with float weights.
        foreach (var n in graph.Node.Where(n => n.OpType is "GRU" or "Gemm"))
            Assert.Equal((int)TensorProto.Types.DataType.Float, byName[n.Input[1]].DataType);
        Assert.Equal(2, result.Fp32WeightedNodes.Count);
        Assert.Equal(fp32.Graph.Output.Select(o => o.Name), graph.Output.Select(o => o.Name));

        // ONNX Runtime's QDQ transformers turn every DQ -> Conv -> Q into QLinearConv (its int8 kernel).
        string optimized = dir.File($"optimized-{activations}-{method}.onnx");
        using (var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(result.Model.ToByteArray(), options)) { }
        var fused = OnnxModelFile.Load(optimized).Graph.Node;
        Assert.Equal(convs, fused.Count(n => n.OpType == "QLinearConv"));
        Assert.DoesNotContain(fused, n => n.OpType is "Conv" or "FusedConv");

        // Outputs stay close to fp32 on frames the calibration did not see.
        using var s32 = OrtHelper.Session(fp32);
        using var s8 = OrtHelper.Session(result.Model);
        var frames = new FloatTensor(RandomFrames(2 * 5, size, 7), [2, 5, 3, size, size]);
        var h0 = new FloatTensor(new float[16 * 2], [1, 2, 16]);
        var a = OrtHelper.Run(s32, (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, h0));
        var b = OrtHelper.Run(s8, (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, h0));
        OrtHelper.AssertClose(a[OnnxTensorNames.Probabilities], b[OnnxTensorNames.Probabilities], 0.03, $"{activations}/{method} probabilities");
        OrtHelper.AssertClose(a[OnnxTensorNames.ValenceArousal], b[OnnxTensorNames.ValenceArousal], 0.05, $"{activations}/{method} valence/arousal");
    }

    [Theory]
    [InlineData(BackboneNames.ResNet18)]
    [InlineData(BackboneNames.MobileNetV2)]
    [InlineData(BackboneNames.MobileNetV3Small)]
    public void TorchvisionBackbonesRunEveryConvAddAndPoolInInt8(string backbone)
    {
        // ResNet-18: residual Adds (QLinearAdd) and a MaxPool that keeps its input's parameters; MobileNetV2: ReLU6 (Clip 0..6)
        // folded into the convolutions' output quantization; MobileNetV3: depthwise convolutions, Hardswish / Hardsigmoid
        // left fp32 between int8 convolutions, squeeze-excitation pools feeding 1x1 convolutions.
        const int size = 32;
        using var model = ExportFixture.Build(backbone, HeadSpec.Gru(16), EmotionTask.Combined, size, seed: 13);
        var fp32 = OnnxExporter.ToModel(model);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 4).Select(s => RandomFrames(4, size, 300 + s)), 3 * size * size);
        var result = OnnxQuantizer.Quantize(fp32, calibration, QuantizationOptions.Default with { CalibrationThreads = 1 });
        var graph = result.Model.Graph;
        int convs = fp32.Graph.Node.Count(n => n.OpType == "Conv"), adds = fp32.Graph.Node.Count(n => n.OpType == "Add");
        Assert.Equal(convs, result.Int8Operators["Conv"]);
        if (adds > 0) Assert.Equal(adds, result.Int8Operators["Add"]);
        foreach (var pool in graph.Node.Where(n => n.OpType == "MaxPool"))
        {
            // Same scale and zero point on both sides: ONNX Runtime drops the pair and pools the 8-bit values.
            var dq = Producer(graph, pool.Input[0]);
            var q = graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == pool.Output[0]);
            Assert.Equal(dq.Input[1], q.Input[1]);
            Assert.Equal(dq.Input[2], q.Input[2]);
        }

        string optimized = dir.File($"optimized-{backbone}.onnx");
        using (var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(result.Model.ToByteArray(), options)) { }
        var fused = OnnxModelFile.Load(optimized).Graph.Node;
        Assert.Equal(convs, fused.Count(n => n.OpType == "QLinearConv"));
        Assert.Equal(adds, fused.Count(n => n.OpType == "QLinearAdd"));
        Assert.DoesNotContain(fused, n => n.OpType is "Conv" or "FusedConv" or "Add");
        if (backbone == BackboneNames.MobileNetV3Small)
            Assert.Contains(fused, n => n.OpType == "QLinearGlobalAveragePool");
        if (backbone == BackboneNames.MobileNetV2)
            Assert.DoesNotContain(graph.Node, n => n.OpType == "Clip");

        using var s32 = OrtHelper.Session(fp32);
        using var s8 = OrtHelper.Session(result.Model);
        var frames = new FloatTensor(RandomFrames(4, size, 8), [1, 4, 3, size, size]);
        var h0 = new FloatTensor(new float[16], [1, 1, 16]);
        OrtHelper.AssertClose(OrtHelper.Run(s32, (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, h0))[OnnxTensorNames.Probabilities],
            OrtHelper.Run(s8, (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, h0))[OnnxTensorNames.Probabilities], 0.05, $"{backbone} probabilities");
    }

    [Fact]
    public void QuantizedHeadUsesInt8GemmAndRuns()
    {
        const int size = 32;
        using var model = ExportFixture.Build(BackboneNames.SmallCnn, HeadSpec.Gru(16), EmotionTask.Combined, size, seed: 12);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 4).Select(s => RandomFrames(4, size, 200 + s)), 3 * size * size);
        var result = OnnxQuantizer.Quantize(OnnxExporter.ToModel(model), calibration,
            QuantizationOptions.Default with { QuantizeHead = true, Method = CalibrationMethod.MinMax, CalibrationThreads = 1 });
        Assert.Equal(2, result.Int8Operators["Gemm"]);
        Assert.Empty(result.Fp32WeightedNodes);
        var gemm = result.Model.Graph.Node.First(n => n.OpType == "Gemm");
        Assert.Equal("DequantizeLinear", Producer(result.Model.Graph, gemm.Input[1]).OpType);
        using var session = OrtHelper.Session(result.Model);
        var frames = new FloatTensor(RandomFrames(3, size, 9), [1, 3, 3, size, size]);
        var p = OrtHelper.Run(session, (OnnxTensorNames.Frames, frames), (OnnxTensorNames.HiddenIn, new FloatTensor(new float[16], [1, 1, 16])))[OnnxTensorNames.Probabilities];
        for (int t = 0; t < 3; t++) Assert.Equal(1.0, p.Data.Skip(t * 7).Take(7).Sum(), 1e-4);
    }

    [Fact]
    public void CalibrationFramesFromAnAffwild2FolderAreTheTrainingVideosPreprocessedForTheModel()
    {
        string root = dir.File("data");
        var generated = SyntheticDatasetGenerator.Generate(root, new SyntheticDatasetOptions { Videos = 3, FramesPerVideo = 20, FrameSize = 32, Seed = 5, MissingFrameRate = 0 });
        Assert.Equal(2, generated.TrainingVideos.Count);
        var info = TinyModels.Info() with { FrameSize = 16, SequenceLength = 4 };
        var data = CalibrationData.FromFolder(root, info, maxFrames: 10);
        // Round robin: a window of 4 frames of video 0, one of video 1, a second of video 0 (12 >= 10: stop); in video
        // order, video 0's windows start at 0 and 16 (spread over its 20 frames), video 1's at 8, cut to 2 frames to end at 10.
        Assert.Equal(10, data.FrameCount);
        int length = 3 * 16 * 16;
        Assert.Equal(length, data.FrameLength);
        Assert.Equal([4, 4, 2], data.Sequences.Select(s => s.Length / length));
        var pipeline = new FramePipeline(new FrameTransformOptions { Width = 16, Height = 16, Normalization = info.Normalization });
        float[] Expected(string video, int number)
        {
            var frame = new float[length];
            string file = Path.Combine(root, "cropped_aligned", video, Emotion.Preprocessing.Datasets.AffWild2Layout.FrameFileName(number));
            pipeline.ProcessForEvaluation(new FileFrameSource(file), frame);
            return frame;
        }
        var videos = generated.TrainingVideos.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Expected(videos[0], 1), data.Sequences[0][..length]);
        Assert.Equal(Expected(videos[0], 17), data.Sequences[1][..length]);
        Assert.Equal(Expected(videos[1], 10), data.Sequences[2][length..]);
    }

    [Fact]
    public void BadCalibrationDataAndModelsAreReportedClearly()
    {
        var info = TinyModels.Info() with { FrameSize = 16 };
        string empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var noImages = Assert.Throws<InvalidDataException>(() => CalibrationData.FromFolder(empty, info));
        Assert.Contains(empty, noImages.Message);
        Assert.Contains("no face images", noImages.Message);
        Assert.Throws<FileNotFoundException>(() => CalibrationData.FromFolder(dir.File("missing"), info));
        File.WriteAllText(dir.File("notes.txt"), "x");
        Assert.Contains("not a CSV manifest", Assert.Throws<InvalidDataException>(() => CalibrationData.FromFolder(dir.File("notes.txt"), info)).Message);
        Assert.Contains("multiple of 12", Assert.Throws<ArgumentException>(() => CalibrationData.FromSequences([new float[13]], 12)).Message);
        Assert.Throws<ArgumentException>(() => CalibrationData.FromSequences([], 12));

        // Frames of the wrong size for the model's input.
        var wrongSize = Assert.Throws<ArgumentException>(() => OnnxQuantizer.Quantize(HandBuiltConv(), CalibrationData.FromSequences([new float[27]], 27)));
        Assert.Contains("27 floats", wrongSize.Message);
        // Already quantized.
        var quantized = OnnxQuantizer.Quantize(HandBuiltConv(), CalibrationData.FromSequences([FrameA], 12), QuantizationOptions.Default with { CalibrationThreads = 1 }).Model;
        Assert.Contains("already quantized", Assert.Throws<NotSupportedException>(() => OnnxQuantizer.Quantize(quantized, CalibrationData.FromSequences([FrameA], 12))).Message);
        // Nothing to quantize when Conv is kept in fp32.
        Assert.Throws<InvalidOperationException>(() => OnnxQuantizer.Quantize(HandBuiltConv(), CalibrationData.FromSequences([FrameA], 12),
            QuantizationOptions.Default with { Fp32Nodes = ["conv"] }));
        // A model without Emotion metadata has no model info to prepare frames with.
        Assert.Contains(OnnxMetadataKeys.ModelInfo, Assert.Throws<InvalidDataException>(() => OnnxQuantizer.ReadModelInfo(HandBuiltConv())).Message);
    }

    private static (float Scale, int ZeroPoint) QuantizeParameters(GraphProto graph, string tensor)
    {
        var q = graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == tensor);
        var zero = Initializer(graph, q.Input[2]);
        int zp = zero.DataType == (int)TensorProto.Types.DataType.Int8 ? OnnxTensors.ReadInt8s(zero)[0] : OnnxTensors.ReadUInt8s(zero)[0];
        return (OnnxTensors.ReadFloats(Initializer(graph, q.Input[1])).Single(), zp);
    }

    private static NodeProto Producer(GraphProto graph, string tensor) => graph.Node.Single(n => n.Output.Contains(tensor));

    private static TensorProto Initializer(GraphProto graph, string name) => graph.Initializer.Single(t => t.Name == name);

    private static float[] RandomFrames(int frames, int size, int seed)
    {
        var random = new Random(seed);
        var data = new float[frames * 3 * size * size];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
        return data;
    }
}
