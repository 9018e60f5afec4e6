using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>
/// The explainer places map cells where the layer computed them: <see cref="EmotionExplainer.LayerGrid"/> against
/// receptive-field arithmetic done by hand, and maps of a network that reads one cell against the hand-computed bilinear tent.
/// </summary>
public class FeatureGridTests
{
    private const int Size = 16;

    /// <summary>A backbone built from the given steps (the last named <c>target</c> is the Grad-CAM layer).</summary>
    private sealed class StepsBackbone : SequentialBackbone
    {
        public StepsBackbone(int width, params (string Name, nn.Module<Tensor, Tensor> Module)[] steps) : base("steps")
        {
            foreach (var (name, module) in steps) AddStep(name, module);
            AddStep("pool", nn.AdaptiveAvgPool2d(1));
            AddStep("flatten", nn.Flatten());
            DefineStage("all", steps[0].Name);
            FeatureWidth = width;
        }

        public override int FeatureWidth { get; }

        public override string DefaultTargetLayer => "target";

        public override Normalization DefaultNormalization => Normalization.ZeroToOne;
    }

    /// <summary>Keeps one cell of a 4 x 4 map: row 1, column 2.</summary>
    private sealed class OneCell : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor mask;

        public OneCell() : base("one_cell")
        {
            var values = new float[16];
            values[1 * 4 + 2] = 1f;
            mask = tensor(values).view(1, 1, 4, 4);
            register_buffer("mask", mask, persistent: false);
        }

        public override Tensor forward(Tensor input) => input * mask;
    }

    private static EmotionModel Build(Func<Backbone> backbone, int size = Size)
    {
        var model = RegionModel.Around(backbone, size);
        using (no_grad())
        {
            model.Classifier!.weight!.zero_();
            model.Classifier!.bias!.zero_();
            model.Classifier!.weight![(int)EmotionCategory.Anger, 0] = tensor(1f);
        }
        return model;
    }

    private static nn.Module<Tensor, Tensor> Constant(nn.Module<Tensor, Tensor> conv, float value)
    {
        using (no_grad())
            foreach (var p in conv.parameters()) p.fill_(value);
        return conv;
    }

    private static FeatureGrid? GridOf(EmotionModel model, string layer) =>
        new EmotionExplainer(model, new ExplanationOptions { Layer = layer, Method = ExplanationMethods.GradCam }).LayerGrid;

    [Fact]
    public void HandComputedReceptiveFieldArithmetic()
    {
        // 2x2 stride 2, no padding: output j covers inputs 2j, 2j+1, centre 2j + 0.5.
        // 5x5 "valid": output j covers inputs j..j+4 of its input, centre +2 cells of stride 2 = +4 px.
        // 3x3 dilation 2, no padding: covers j, j+2, j+4, centre +2 cells = +4 px.  Total: stride 2, offset 8.5.
        using var model = Build(() => new StepsBackbone(1,
            ("a", nn.Conv2d(3, 2, 2, stride: 2)),
            ("b", nn.Conv2d(2, 2, 5)),
            ("target", nn.Conv2d(2, 1, 3, dilation: 2))), size: 32);
        Assert.Equal(new FeatureGrid(2, 0.5, 2, 0.5, Traced: true), GridOf(model, "a"));
        Assert.Equal(new FeatureGrid(2, 4.5, 2, 4.5, Traced: true), GridOf(model, "b"));
        Assert.Equal(new FeatureGrid(2, 8.5, 2, 8.5, Traced: true), GridOf(model, "target"));
    }

    [Fact]
    public void RectangularKernelsAndPoolingGiveEachAxisItsOwnGrid()
    {
        using var model = Build(() => new StepsBackbone(2,
            ("a", nn.Conv2d(3, 2, (3, 1), stride: (2, 1), padding: (1, 0))),
            ("b", nn.MaxPool2d((2, 3), stride: (2, 2), padding: (0, 1))),
            ("target", nn.AvgPool2d((1, 2), stride: (1, 2)))), size: 32);
        // y: conv centre 2j, pool 2x stride 2 no padding +0.5 cell (1 px), avg 1 wide: stride 4, offset 1.
        // x: conv stride 1; max pool 3 wide padding 1 centred: stride 2, offset 0; avg 2 wide stride 2: +0.5 cell (1 px), stride 4.
        Assert.Equal(new FeatureGrid(4, 1, 4, 1, Traced: true), GridOf(model, "target"));
    }

    [Theory]
    [InlineData(BackboneNames.SmallCnn, "block1", 2, 0)]
    [InlineData(BackboneNames.SmallCnn, "block3", 8, 0)]
    [InlineData(BackboneNames.SmallCnn, "block3.0", 8, 0)]
    [InlineData(BackboneNames.SmallCnn, "block4", 16, 0)]
    [InlineData(BackboneNames.ResNet18, "maxpool", 4, 0)]
    [InlineData(BackboneNames.ResNet18, "layer2.0.conv1", 8, 0)]
    [InlineData(BackboneNames.ResNet18, "layer4", 32, 0)]
    [InlineData(BackboneNames.ResNet50, "layer4", 32, 0)]
    [InlineData(BackboneNames.Vgg11Bn, null, 16, 7.5)]
    [InlineData(BackboneNames.MobileNetV2, null, 32, 0)]
    [InlineData(BackboneNames.MobileNetV3Small, null, 32, 0)]
    public void StandardBackbonesAreTraced(string backbone, string? layer, double stride, double offset)
    {
        // Same-padded strided convolutions and pools centre cell j on pixel stride * j; VGG's 2x2 pools (after 4 of them,
        // 0.5 + 1 + 2 + 4 px) centre it in its 16 x 16 tile. Squeeze-and-excitation branches and shortcuts are skipped.
        using var model = EmotionModel.Create().WithInput(frames: 1, size: 64).WithBackbone(BackboneSpec.Named(backbone))
            .WithRecurrentHead(HeadSpec.NoRecurrence()).ForTask(EmotionTask.Categorical).Build();
        var grid = GridOf(model, layer ?? model.Backbone.DefaultTargetLayer);
        Assert.Equal(new FeatureGrid(stride, offset, stride, offset, Traced: true), grid);
    }

    [Fact]
    public void LayersThatCannotBeTracedFallBackToEvenTiling()
    {
        // An adaptive pooling changes the size with no kernel to read; a shortcut is not on the main path.
        using var model = Build(() => new StepsBackbone(1, ("a", nn.AdaptiveAvgPool2d(4)), ("target", nn.Conv2d(3, 1, 1))));
        Assert.Null(GridOf(model, "target"));
        using var resnet = EmotionModel.Create().WithInput(frames: 1, size: 64).WithBackbone(BackboneSpec.ResNet18())
            .WithRecurrentHead(HeadSpec.NoRecurrence()).ForTask(EmotionTask.Categorical).Build();
        Assert.Null(GridOf(resnet, "layer2.0.downsample"));
        Assert.Null(new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Saliency }).LayerGrid);
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("hirescam")]
    public void AMapOfOneCellPeaksOnThePixelThatCellIsCentredOn(string method)
    {
        // Two 3x3 stride-2 padding-1 convolutions: the 4 x 4 map's cell (1, 2) is centred on pixel (4, 8) of the 16 x 16 frame.
        // The target reads that cell only, so the map is the bilinear tent around (4, 8) with half-width 4 pixels:
        // (1 - |y - 4| / 4)+ (1 - |x - 8| / 4)+. Evenly tiled cells would have put its peak between pixels 5-6 and 9-10.
        using var model = Build(() => new StepsBackbone(1,
            ("a", Constant(nn.Conv2d(3, 1, 3, stride: 2, padding: 1, bias: false), 1f / 27)),
            ("b", Constant(nn.Conv2d(1, 1, 3, stride: 2, padding: 1, bias: false), 1f / 9)),
            ("target", new OneCell())));
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Parse(method) });
        Assert.Equal(new FeatureGrid(4, 0, 4, 0, Traced: true), explainer.LayerGrid);
        using var input = full(new long[] { 1, 2, 3, Size, Size }, 0.5f);
        var result = explainer.Explain(input, new CategoryTarget(EmotionCategory.Anger));
        for (int t = 0; t < 2; t++)
        {
            var map = result.Map(0, t);
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    double expected = Math.Max(0, 1 - Math.Abs(y - 4) / 4.0) * Math.Max(0, 1 - Math.Abs(x - 8) / 4.0);
                    Assert.True(Math.Abs(map[y * Size + x] - expected) < 1e-5, $"{method} frame {t} pixel ({y}, {x}): {map[y * Size + x]}, expected {expected}");
                }
        }
    }

    [Fact]
    public void EvenTilingMatchesBilinearResizing()
    {
        // An adaptive pooling to 4 x 4 cannot be traced, so the explainer tiles; the one-cell map must then equal what
        // torch's bilinear resize (align_corners = false) makes of the same one-hot grid.
        using var model = Build(() => new StepsBackbone(3, ("a", nn.AdaptiveAvgPool2d(4)), ("target", new OneCell())));
        var explainer = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.GradCam });
        Assert.Null(explainer.LayerGrid);
        using var input = full(new long[] { 1, 2, 3, Size, Size }, 0.5f);
        var map = explainer.Explain(input, new CategoryTarget(EmotionCategory.Anger)).Map(0, 0).ToArray();
        using var oneHot = zeros(1, 1, 4, 4);
        oneHot[0, 0, 1, 2] = tensor(1f);
        using var resized = nn.functional.interpolate(oneHot, size: [Size, Size], mode: InterpolationMode.Bilinear, align_corners: false);
        var expected = resized.data<float>().ToArray();
        float max = expected.Max();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(map[i] - expected[i] / max) < 1e-5, $"pixel {i}: {map[i]} vs {expected[i] / max}");
    }
}
