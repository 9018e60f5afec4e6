using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Interpretability;
using Emotion.Torch.Models;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Weights;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Backbones;

/// <summary>The mini_xception backbone's structure, options and TensorFlow padding, independent of the pretrained file.</summary>
[Collection(ModelTestSupport.Collection)]
public sealed class MiniXceptionBackboneTests
{
    [Fact]
    public void TheTopParameterSelectsClassScoresOr256Features()
    {
        var context = new BackboneBuildContext(64);
        using var plain = BackboneRegistry.Default.Create(BackboneSpec.MiniXception(), context);
        using var topped = BackboneRegistry.Default.Create(BackboneSpec.MiniXception(includeTop: true), context);
        Assert.Equal(BackboneSpec.Named(BackboneNames.MiniXception), BackboneSpec.MiniXception());

        Assert.Equal(256, plain.FeatureWidth);
        Assert.Equal(7, topped.FeatureWidth);
        Assert.Equal(["stem", "block1", "block2"], plain.Stages);
        Assert.Equal(["stem", "block1", "block2", "top"], topped.Stages);
        Assert.Equal("block2", plain.DefaultTargetLayer);
        Assert.Equal(["top."], plain.IgnoredWeightPrefixes);
        Assert.Empty(topped.IgnoredWeightPrefixes);
        Assert.Equal(Normalization.ZeroToOne, plain.DefaultNormalization);
        // The grayscale step holds no tensors; the top is 256 x 7 x 3 x 3 + 7.
        Assert.DoesNotContain(topped.state_dict().Keys, k => k.StartsWith("grayscale", StringComparison.Ordinal));
        Assert.Equal(205_127, topped.parameters().Sum(p => p.numel()));
        Assert.Equal(205_127 - 16_135, plain.parameters().Sum(p => p.numel()));

        plain.eval();
        topped.eval();
        using var _ = no_grad();
        using var x = rand(2, 3, 64, 64, generator: new Generator(1));
        using var features = plain.call(x);
        using var scores = topped.call(x);
        Assert.Equal([2L, 256], features.shape);
        Assert.Equal([2L, 7], scores.shape);

        topped.FreezeUpTo("block1");
        Assert.All(topped.GetLayer("block1").parameters(), p => Assert.False(p.requires_grad));
        Assert.All(topped.GetLayer("top").parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheReason()
    {
        var context = new BackboneBuildContext(64);
        var e = Assert.Throws<ArgumentException>(() => BackboneRegistry.Default.Create(BackboneSpec.MiniXception().WithParameter("top", "yes"), context));
        Assert.Contains("true or false", e.Message);
        e = Assert.Throws<ArgumentException>(() => BackboneRegistry.Default.Create(BackboneSpec.MiniXception().WithParameter("depth", "3"), context));
        Assert.Contains("'depth'", e.Message);
        Assert.Throws<ArgumentException>(() => BackboneRegistry.Default.Create(BackboneSpec.MiniXception() with { WidthMultiplier = 0.5 }, context));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniXceptionBackbone(MiniXceptionBackbone.MinimumInputSize - 1));
        using var smallest = new MiniXceptionBackbone(MiniXceptionBackbone.MinimumInputSize);
        Assert.Equal(1, smallest.FinalMapSize);
    }

    [Fact]
    public void WithoutTheTopAWholeNetworkFileLoadsStrictlyAndSkipsTheTop()
    {
        using var temp = new TempFolder("emotion-torch-");
        string folder = temp.Path;
        using var topped = new MiniXceptionBackbone(includeTop: true);
        string path = Path.Combine(folder, "mini_xception.dat");
        StateDictFile.Write(path, topped.state_dict());
        using var plain = new MiniXceptionBackbone(includeTop: false);
        var result = plain.LoadWeights(path);
        Assert.Equal(["top.bias", "top.weight"], result.Ignored.Order());
        Assert.Empty(result.Missing);
        using var a = topped.state_dict()["block2.sepconv2.pointwise.weight"];
        Assert.True(ModelTestSupport.Same(a, plain.state_dict()["block2.sepconv2.pointwise.weight"]));
    }

    [Theory]
    [InlineData(6, 0, 1)]
    [InlineData(7, 1, 1)]
    [InlineData(29, 1, 1)]
    [InlineData(30, 0, 1)]
    public void MaxPoolingPadsLikeTensorflowSame(int size, long before, long after)
    {
        using var pool = new SameMaxPool2d(kernelSize: 3, stride: 2, inputSize: size);
        Assert.Equal((before, after), (pool.Before, pool.After));
        long outSize = (size + 1) / 2;
        Assert.Equal(outSize, pool.OutputSize);
        // Negative inputs: a zero pad would win; TensorFlow's padding never does.
        using var x = -rand(2, 3, size, size, generator: new Generator((ulong)size)) - 1;
        using var y = pool.call(x);
        Assert.Equal([2L, 3, outSize, outSize], y.shape);
        var input = x.data<float>().ToArray();
        var output = y.data<float>().ToArray();
        for (int nc = 0; nc < 6; nc++)
            for (long i = 0; i < outSize; i++)
                for (long j = 0; j < outSize; j++)
                {
                    float max = float.NegativeInfinity;
                    for (long r = i * 2 - before; r < i * 2 - before + 3; r++)
                        for (long c = j * 2 - before; c < j * 2 - before + 3; c++)
                            if (r >= 0 && r < size && c >= 0 && c < size) max = Math.Max(max, input[(nc * size + r) * size + c]);
                    Assert.Equal(max, output[(nc * outSize + i) * outSize + j]);
                }
        using var wrong = zeros(1, 3, size + 1, size + 1);
        Assert.Contains($"built for [N, C, {size}, {size}]", Assert.Throws<ArgumentException>(() => pool.call(wrong)).Message);
    }

    [Theory]
    [InlineData(64, 8)]
    [InlineData(66, 8)]
    [InlineData(48, 6)]
    [InlineData(112, 14)]
    public void OtherFrameSizesFollowTensorflowSizes(int size, long finalMap)
    {
        using var backbone = new MiniXceptionBackbone(size);
        Assert.Equal(finalMap, backbone.FinalMapSize);
        backbone.eval();
        using var _ = no_grad();
        using var x = rand(1, 3, size, size, generator: new Generator(2));
        using var scope = NewDisposeScope();
        var map = x;
        foreach (var step in new[] { "grayscale", "stem", "block1", "block2" })
            map = ((nn.Module<Tensor, Tensor>)backbone.GetLayer(step)).call(map);
        Assert.Equal([1L, 256, finalMap, finalMap], map.shape);
    }

    [Theory]
    [InlineData(64, 3.0)]
    [InlineData(66, 5.0)]
    public void GradCamTracesTheBlock2GridThroughTensorflowPads(int size, double offset)
    {
        // The stem (3 x 3 / 2 and 3 x 3, no padding) centres cell j on pixel 2 j + 3; each 3 x 3 / 2 pool then shifts the
        // offset by (stride so far) x (1 - before), where TensorFlow's leading pad 'before' is 1 on odd maps (64: 29, then 15)
        // and 0 on even ones (66: 30, then 15): 3 + 0 + 0 = 3 at 64, 3 + 2 + 0 = 5 at 66.
        using var model = EmotionModel.Create()
            .WithInput(frames: 1, size: size)
            .WithBackbone(BackboneSpec.MiniXception(includeTop: true))
            .WithRecurrentHead(HeadSpec.NoRecurrence())
            .ForTask(EmotionTask.Categorical)
            .WithSeed(3)
            .Build();
        var explainer = new EmotionExplainer(model);
        Assert.Equal("block2", explainer.LayerName);
        var grid = Assert.NotNull(explainer.LayerGrid);
        Assert.True(grid.Traced);
        Assert.Equal((8.0, offset, 8.0, offset), (grid.StrideY, grid.OffsetY, grid.StrideX, grid.OffsetX));
    }

    [Fact]
    public void TheGrayscaleStepIsHumanPreprocessing()
    {
        using var gray = new GrayscaleInput();
        using var x = tensor(new[] { 1f, 0.5f, 0.25f, 0f, 0.2f, 1f }, [1, 3, 1, 2]);
        using var y = gray.call(x);
        Assert.Equal([1L, 1, 1, 2], y.shape);
        var v = y.data<float>().ToArray();
        Assert.Equal((0.2989 * 1 + 0.5870 * 0.25 + 0.1140 * 0.2 - 0.5) * 2, v[0], 6);
        Assert.Equal((0.2989 * 0.5 + 0.5870 * 0 + 0.1140 * 1 - 0.5) * 2, v[1], 6);
        Assert.Throws<ArgumentException>(() => gray.call(zeros(1, 1, 2, 2)));
    }
}
