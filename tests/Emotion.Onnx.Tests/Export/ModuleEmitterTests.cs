using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>Single layers and small stacks exported on their own and compared with TorchSharp's eval-mode forward.</summary>
public sealed class ModuleEmitterTests
{
    /// <summary>Exports <paramref name="module"/> on <c>[N, C, H, W]</c> (or <c>[N, F]</c>) and compares on a random batch of 3.</summary>
    private static ModelProto AssertMatches(nn.Module<Tensor, Tensor> module, long[] sampleShape, IEnumerable<IOnnxModuleEmitter>? custom = null, int seed = 1)
    {
        ExportFixture.RandomizeBatchNorm(module, seed);
        module.eval();
        var g = new OnnxGraphBuilder("module");
        var e = new OnnxModuleEmitter(g, custom);
        string x = g.AddInput("x", ["n", .. sampleShape.Select(d => (OnnxDimension)d)]);
        var y = e.Emit(module, new OnnxValue(x, sampleShape), "m");
        g.AddNode("Identity", [y.Name], "y");
        g.AddOutput("y", ["n", .. y.Shape.Select(d => (OnnxDimension)d)]);
        var proto = g.Build();
        using var session = OrtHelper.Session(proto);
        using var input = randn([3, .. sampleShape], generator: new Generator((ulong)seed));
        using var expected = module.call(input);
        var actual = OrtHelper.Run(session, ("x", FloatTensor.From(input)))["y"];
        OrtHelper.AssertClose(FloatTensor.From(expected), actual, ExportFixture.Tolerance, module.GetName());
        return proto;
    }

    [Fact]
    public void ConvolutionWithBatchNormIsFoldedIntoOneConv()
    {
        using var m = nn.Sequential(
            nn.Conv2d(3, 6, kernel_size: 3, stride: 2, padding: 1, bias: true),
            nn.BatchNorm2d(6, eps: 1e-3),
            nn.ReLU6(),
            nn.Conv2d(6, 6, kernel_size: 3, padding: 2, dilation: 2, groups: 3, bias: false),
            nn.BatchNorm2d(6),
            nn.Hardswish());
        var proto = AssertMatches(m, [3, 11, 11]);
        Assert.Equal(["Conv", "Clip", "Conv", "HardSwish", "Identity"], proto.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void BatchNormThatFollowsNoConvolutionIsAnAffineMap()
    {
        using var m = nn.Sequential(nn.ReLU(), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 5 * 5, 7), nn.BatchNorm1d(7), nn.Tanh());
        AssertMatches(m, [4, 5, 5]);
    }

    [Fact]
    public void ActivationsMatchPytorchDefinitions()
    {
        using var m = nn.Sequential(
            nn.Conv2d(2, 4, 1), nn.Hardsigmoid(), nn.Conv2d(4, 4, 1), nn.SiLU(), nn.Conv2d(4, 4, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(4, 4, 1), nn.Sigmoid(), nn.Dropout(0.5), nn.Identity());
        AssertMatches(m, [2, 4, 4]);
        // TorchSharp 0.107's Hardtanh returns its input unchanged (a TorchSharp bug); the export follows PyTorch's
        // definition, clamp(x, min, max), which is the reference here.
        using var hardtanh = nn.Hardtanh(-0.5, 0.7);
        var g = new OnnxGraphBuilder("hardtanh");
        var e = new OnnxModuleEmitter(g);
        var y = e.Emit(hardtanh, new OnnxValue(g.AddInput("x", ["n", 4]), [4]), "hardtanh");
        g.AddOutput(y.Name, ["n", 4]);
        using var session = OrtHelper.Session(g.Build());
        using var input = tensor(new[] { -3f, -0.2f, 0.5f, 2f }).reshape(1, 4);
        Assert.Equal([-0.5f, -0.2f, 0.5f, 0.7f], OrtHelper.Run(session, ("x", FloatTensor.From(input)))[y.Name].Data);
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    [InlineData(8, true)]
    public void PoolingFollowsPytorchSizesIncludingCeilMode(int size, bool ceil)
    {
        using var m = nn.Sequential(
            nn.MaxPool2d(kernel_size: 3, stride: 2, padding: 1, ceil_mode: ceil),
            nn.AvgPool2d(kernel_size: 2, stride: 2, ceil_mode: ceil, count_include_pad: false));
        AssertMatches(m, [2, size, size]);
    }

    [Theory]
    [InlineData(1, 7)]   // VGG's 7x7 pool on a 1x1 map: replication through the averaging matrix
    [InlineData(5, 3)]   // windows of uneven size
    [InlineData(6, 3)]   // even division: a plain AveragePool
    [InlineData(4, 1)]   // global
    public void AdaptiveAveragePoolingIsExactForAnySize(int input, int output)
    {
        using var m = nn.Sequential(nn.AdaptiveAvgPool2d(output), nn.Flatten(), nn.Linear(3L * output * output, 2));
        AssertMatches(m, [3, input, input]);
    }

    [Fact]
    public void UnknownModulesAreNamedAndCustomEmittersHandleThem()
    {
        using var m = nn.Sequential(nn.Conv2d(2, 3, 1), new Doubler(), nn.ReLU());
        var g = new OnnxGraphBuilder();
        var error = Assert.Throws<NotSupportedException>(() => new OnnxModuleEmitter(g).Emit(m, new OnnxValue(g.AddInput("x", ["n", 2, 3, 3]), [2, 3, 3]), "backbone"));
        Assert.Contains("'backbone.1'", error.Message);
        Assert.Contains(nameof(Doubler), error.Message);
        AssertMatches(m, [2, 3, 3], [new DoublerEmitter()]);
    }

    private sealed class Doubler() : nn.Module<Tensor, Tensor>(nameof(Doubler))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }

    private sealed class DoublerEmitter : IOnnxModuleEmitter
    {
        public bool CanEmit(nn.Module module) => module is Doubler;

        public OnnxValue Emit(nn.Module module, OnnxValue input, string path, OnnxModuleEmitter emitter) =>
            input with { Name = emitter.Node("Mul", path, [input.Name, emitter.Scalar(2f)]) };
    }
}
