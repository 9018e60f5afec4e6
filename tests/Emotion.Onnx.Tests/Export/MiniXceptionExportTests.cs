using System.Runtime.CompilerServices;
using System.Text.Json;
using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Models;
using Emotion.Torch.Pretrained;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// Export of human's emotion network (oarriaga's FER-2013 big_XCEPTION) as imported into <see cref="MiniXceptionBackbone"/>:
/// the grayscale step, TensorFlow's asymmetric max-pool pads, the residual block and the whole pretrained per-frame model,
/// compared between TorchSharp and ONNX Runtime.
/// </summary>
public sealed class MiniXceptionExportTests(ITestOutputHelper output)
{
    /// <summary>Exports a module on <c>[N, C, H, W]</c> and returns TorchSharp's and ONNX Runtime's outputs on <paramref name="input"/>.</summary>
    private static (FloatTensor Expected, FloatTensor Actual, Emotion.Onnx.Export.Protos.ModelProto Proto) Run(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        module.eval();
        long[] sampleShape = input.shape[1..];
        var g = new OnnxGraphBuilder("module");
        var e = new OnnxModuleEmitter(g);
        string x = g.AddInput("x", ["n", .. sampleShape.Select(d => (OnnxDimension)d)]);
        var y = e.Emit(module, new OnnxValue(x, sampleShape), "m");
        g.AddNode("Identity", [y.Name], "y");
        g.AddOutput("y", ["n", .. y.Shape.Select(d => (OnnxDimension)d)]);
        var proto = g.Build();
        using var session = OrtHelper.Session(proto);
        using var _ = no_grad();
        using var expected = module.call(input);
        return (FloatTensor.From(expected), OrtHelper.Run(session, ("x", FloatTensor.From(input)))["y"], proto);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void SameMaxPoolingExportsAsOneMaxpoolWithTensorflowPads(int size)
    {
        using var pool = new SameMaxPool2d(kernelSize: 3, stride: 2, inputSize: size);
        // Negative values: a zero pad would win where TensorFlow's never does.
        using var input = -rand(2, 3, size, size, generator: new Generator((ulong)size)) - 1;
        var (expected, actual, proto) = Run(pool, input);
        OrtHelper.AssertClose(expected, actual, 0, $"SameMaxPool2d({size})");
        Assert.Equal(["MaxPool", "Identity"], proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal([pool.Before, pool.Before, pool.After, pool.After], proto.Graph.Node[0].Attribute.Single(a => a.Name == "pads").Ints);
    }

    [Theory]
    [InlineData(true, 10)]
    [InlineData(false, 9)]
    public void AResidualBlockExportsWithItsShortcut(bool preActivation, int size)
    {
        using var block = new XceptionResidualBlock(4, 6, size, preActivation);
        using var input = randn(2, 4, size, size, generator: new Generator(5));
        var (expected, actual, proto) = Run(block, input);
        long outSize = (size + 1) / 2;
        Assert.Equal([2L, 6, outSize, outSize], actual.Shape);
        OrtHelper.AssertClose(expected, actual, ExportFixture.Tolerance, $"XceptionResidualBlock(pre {preActivation}, {size})");
        var ops = proto.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(5, ops.Count(o => o == "Conv"));
        Assert.Equal(preActivation ? 2 : 1, ops.Count(o => o == "Relu"));
        Assert.Equal(1, ops.Count(o => o == "MaxPool"));
        Assert.Equal(1, ops.Count(o => o == "Add"));
    }

    [Theory]
    [InlineData(false, 66)]
    [InlineData(true, 64)]
    public void TheBackboneExportsAtEvenAndOddMapSizes(bool includeTop, int size)
    {
        using var backbone = new MiniXceptionBackbone(size, includeTop);
        using var input = rand(3, 3, size, size, generator: new Generator(7));
        var (expected, actual, _) = Run(backbone, input);
        Assert.Equal([3L, includeTop ? 7 : 256], actual.Shape);
        OrtHelper.AssertClose(expected, actual, ExportFixture.Tolerance, $"MiniXceptionBackbone(top {includeTop}, {size})");
    }

    [Fact]
    public void ThePretrainedModelRunsTheSameInOnnxRuntimeOnRealFaces()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.MiniXceptionFer2013);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        PretrainedReferenceCheck.AssertMatches(model, session, "miniXception", "outputs", MiniXceptionWeights.Fer2013IndexOf, output.WriteLine);

        // Random frames through the shared export check (logits, probabilities, features).
        ExportFixture.AssertSameOutputs(model, session, batch: 2, time: 1, seed: 11);
    }

    [Fact]
    public void TheCatalogueModelWithEstimatedValenceArousalExports()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.MiniXceptionFer2013, TestAssets.Directory);
        using var session = OrtHelper.Session(OnnxExporter.ToModel(model));
        ExportFixture.AssertSameOutputs(model, session, batch: 3, time: 1, seed: 12);
    }
}
