using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Torch.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>The Cntk ResNet-18 variant (mean-image input step, [2, 2, 2, 3] blocks) exported at frame sizes other than 224.</summary>
public sealed class CntkVariantExportTests
{
    [Theory]
    [InlineData(112)]
    [InlineData(96)]
    public void CntkResnet18WithAResizedMeanImageExportsExactly(int size)
    {
        using var backbone = new ResNetBackbone(18, size, ResNetVariant.Cntk);
        ExportFixture.RandomizeBatchNorm(backbone, size);
        using (no_grad())
        {
            // A mean image that is not constant, so that its resizing matters.
            var mean = ((MeanImageInput)backbone.GetLayer("input")).MeanImage;
            mean.add_(randn(mean.shape, generator: new Generator(5)) * 10);
        }
        backbone.eval();
        var g = new OnnxGraphBuilder("cntk");
        var e = new OnnxModuleEmitter(g);
        string x = g.AddInput("x", ["n", 3, size, size]);
        var y = e.Emit(backbone, new OnnxValue(x, [3, size, size]), "backbone");
        g.AddNode("Identity", [y.Name], "y");
        g.AddOutput("y", ["n", 512]);
        using var session = OrtHelper.Session(g.Build());
        using var input = rand([2, 3, size, size], generator: new Generator(9));
        using var expected = backbone.call(input);
        var actual = OrtHelper.Run(session, ("x", FloatTensor.From(input)))["y"];
        // Random weights on 0-255 inputs give features in the tens (the pretrained ones stay near 1, compared absolutely in
        // CntkResNetTests): the tolerance is relative to the largest feature.
        double scale = Math.Max(1.0, expected.abs().max().ToDouble());
        OrtHelper.AssertClose(FloatTensor.From(expected), actual, ExportFixture.Tolerance * scale, $"cntk resnet18 at {size}");
    }
}
