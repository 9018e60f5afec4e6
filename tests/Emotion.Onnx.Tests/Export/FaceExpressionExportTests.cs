using System.Runtime.CompilerServices;
using System.Text.Json;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Pretrained;
using Emotion.Torch.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// Export of face-api.js's FaceExpressionNet as imported into TorchSharp: TensorFlow's asymmetric SAME pads, the dense
/// block, and the whole pretrained per-frame model on real face crops, compared between TorchSharp and ONNX Runtime.
/// </summary>
public sealed class FaceExpressionExportTests(ITestOutputHelper output)
{
    /// <summary>Exports a module on <c>[N, C, H, W]</c> and returns ONNX Runtime's and TorchSharp's outputs on a random batch of 2.</summary>
    private static (FloatTensor Expected, FloatTensor Actual, Emotion.Onnx.Export.Protos.ModelProto Proto) Run(nn.Module<Tensor, Tensor> module, long[] sampleShape, int seed)
    {
        module.eval();
        var g = new OnnxGraphBuilder("module");
        var e = new OnnxModuleEmitter(g);
        string x = g.AddInput("x", ["n", .. sampleShape.Select(d => (OnnxDimension)d)]);
        var y = e.Emit(module, new OnnxValue(x, sampleShape), "m");
        g.AddNode("Identity", [y.Name], "y");
        g.AddOutput("y", ["n", .. y.Shape.Select(d => (OnnxDimension)d)]);
        var proto = g.Build();
        using var session = OrtHelper.Session(proto);
        using var input = randn([2, .. sampleShape], generator: new Generator((ulong)seed));
        using var expected = module.call(input);
        return (FloatTensor.From(expected), OrtHelper.Run(session, ("x", FloatTensor.From(input)))["y"], proto);
    }

    [Fact]
    public void ZeroAndConstantPadsMayDifferPerSide()
    {
        using var zero = nn.ZeroPad2d((0L, 1L, 2L, 3L));
        var (expected, actual, proto) = Run(zero, [2, 5, 4], seed: 3);
        Assert.Equal([2L, 2, 10, 5], actual.Shape);
        OrtHelper.AssertClose(expected, actual, 0, "ZeroPad2d");
        Assert.Equal(["Pad", "Identity"], proto.Graph.Node.Select(n => n.OpType));

        using var constant = nn.ConstantPad2d((2L, 0L, 1L, 1L), 1.5);
        var (expected2, actual2, _) = Run(constant, [1, 3, 3], seed: 4);
        OrtHelper.AssertClose(expected2, actual2, 0, "ConstantPad2d");
        Assert.Equal(1.5f, actual2.Data[0]);
    }

    [Theory]
    [InlineData(true, 12)]
    [InlineData(false, 12)]
    [InlineData(false, 7)]
    public void ADenseBlockExportsWithItsResidualSums(bool firstLayer, int size)
    {
        var (before, after) = TfjsLayout.SamePadding(size, 3, 2);
        using var block = new FaceDenseBlock(firstLayer ? 3 : 4, 6, firstLayer, (before, after, before, after));
        var (expected, actual, proto) = Run(block, [firstLayer ? 3 : 4, size, size], seed: size);
        long outSize = (size + 1) / 2;
        Assert.Equal([2L, 6, outSize, outSize], actual.Shape);
        OrtHelper.AssertClose(expected, actual, ExportFixture.Tolerance, $"FaceDenseBlock(first {firstLayer}, {size})");
        var ops = proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(1, ops.Count(o => o == "Pad"));
        Assert.Equal(firstLayer ? 7 : 8, ops.Count(o => o == "Conv"));
        Assert.Equal(6, ops.Count(o => o == "Add"));
        Assert.Equal(4, ops.Count(o => o == "Relu"));
        // Depthwise convolutions keep one group per channel.
        Assert.Contains(proto.Graph.Node.Where(n => n.OpType == "Conv"), n => n.Attribute.Single(a => a.Name == "group").I == 6);
    }

    [Fact]
    public void ThePretrainedModelRunsTheSameInOnnxRuntimeOnRealFaces()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.FaceExpression, Path.GetDirectoryName(TestAssets.Path("face_expression_model-weights_manifest.json")));
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        PretrainedReferenceCheck.AssertMatches(model, session, "faceExpression", "probabilities", FaceExpressionWeights.FaceApiIndexOf, output.WriteLine);
    }
}
