using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Backbones;

/// <summary>The Cntk ResNet-18 variant without its pretrained files (those are compared with ONNX Runtime in Emotion.Onnx.Tests).</summary>
[Collection(ModelTestSupport.Collection)]
public sealed class CntkResNetBackboneTests
{
    [Fact]
    public void CntkVariantHasCntkBlockCountsAndAMeanImageInputStep()
    {
        using var backbone = BackboneRegistry.Default.Create(BackboneSpec.ResNet18Cntk(), new BackboneBuildContext(112));
        var resnet = Assert.IsType<ResNetBackbone>(backbone);
        Assert.Equal(ResNetVariant.Cntk, resnet.Variant);
        Assert.Equal(Normalization.ZeroToOne, resnet.DefaultNormalization);
        Assert.Equal("input", backbone.named_children().First().name);
        var keys = backbone.state_dict().Keys.ToHashSet();
        Assert.Contains("input.mean_image", keys);
        Assert.Contains("layer4.2.conv2.weight", keys);
        Assert.DoesNotContain("layer3.2.conv1.weight", keys);
        Assert.Equal([2, 2, 2, 3], Enumerable.Range(1, 4).Select(i => backbone.GetLayer($"layer{i}").named_children().Count()));
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "layer4"], backbone.Stages);
        Assert.Equal(512, backbone.FeatureWidth);

        // y = BGR(x) * 255 - mean: with the default (per-channel constant) mean image, a grey frame of value v gives 255 v - m_c.
        var input = (MeanImageInput)backbone.GetLayer("input");
        using var frame = full(1, 3, 112, 112, 0.5f);
        using var y = input.call(frame);
        Assert.Equal([1L, 3, 112, 112], y.shape);
        Assert.Equal(127.5f - 103.0626f, y[0, 0, 50, 50].ToSingle(), 3);
        Assert.Equal(127.5f - 123.1516f, y[0, 2, 50, 50].ToSingle(), 3);
        // RGB order in, BGR out.
        using var red = zeros(1, 3, 224, 224);
        red[0, 0].fill_(1f);
        using var bgr = input.call(red);
        Assert.Equal(255f - 123.1516f, bgr[0, 2, 7, 7].ToSingle(), 3);
        Assert.Equal(-103.0626f, bgr[0, 0, 7, 7].ToSingle(), 3);

        backbone.eval();
        using var _ = no_grad();
        using var features = backbone.call(rand(2, 3, 112, 112));
        Assert.Equal([2L, 512], features.shape);
    }

    [Fact]
    public void CntkVariantIsRefusedWhereItDoesNotExist()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResNetBackbone(34, 112, ResNetVariant.Cntk));
        var e = Assert.Throws<ArgumentException>(() => BackboneRegistry.Default.Create(BackboneSpec.SmallCnn() with { ResNetVariant = ResNetVariant.Cntk }, new BackboneBuildContext(32)));
        Assert.Contains("no ResNet variant", e.Message);
    }
}
