using System.Text.Json;
using Emotion.Torch.Backbones;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Weights;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Backbones;

[Collection(ModelTestSupport.Collection)]
public sealed class BackboneTests
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(BackboneNames.ResNet18, 512, "layer4")]
    [InlineData(BackboneNames.ResNet34, 512, "layer4")]
    [InlineData(BackboneNames.ResNet50, 2048, "layer4")]
    [InlineData(BackboneNames.Vgg11, 512, "features.19")]
    [InlineData(BackboneNames.Vgg11Bn, 512, "features.27")]
    [InlineData(BackboneNames.Vgg16, 512, "features.29")]
    [InlineData(BackboneNames.Vgg16Bn, 512, "features.42")]
    [InlineData(BackboneNames.MobileNetV2, 1280, "features.18")]
    [InlineData(BackboneNames.MobileNetV3Small, 576, "features.12")]
    [InlineData(BackboneNames.MobileNetV3Large, 960, "features.16")]
    [InlineData(BackboneNames.SmallCnn, 128, "block4")]
    public void BuiltInsReportTheirFeatureWidthAndTargetLayer(string name, int width, string target)
    {
        // Widths and layer indices as in TorchVision (torchvision.models.*: fc / classifier input widths; the last ReLU of
        // VGG's features; the last block of MobileNet's features).
        using var backbone = BackboneRegistry.Default.Create(BackboneSpec.Named(name), new BackboneBuildContext(32));
        Assert.Equal(width, backbone.FeatureWidth);
        Assert.Equal(target, backbone.DefaultTargetLayer);
        var layer = backbone.GetLayer(target);
        Assert.NotNull(layer);
        backbone.eval();
        using var x = ModelTestSupport.Randn(1, 2, 3, 32, 32);
        using var _ = no_grad();
        using var y = backbone.call(x);
        Assert.Equal(new long[] { 2, width }, y.shape);
        Assert.DoesNotContain(backbone.state_dict().Keys, k => k.StartsWith("fc.", StringComparison.Ordinal) || k.StartsWith("classifier.", StringComparison.Ordinal));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(BackboneNames.Vgg16Bn)]
    public void VggFeaturesHaveTorchVisionLayout(string variant)
    {
        // The reference is TorchVision's own network (its features' state dict, names and shapes), so that pretrained
        // VGG weights load by name.
        using var reference = variant == BackboneNames.Vgg11 ? torchvision.models.vgg11() : torchvision.models.vgg16_bn();
        var expected = reference.state_dict().Where(kv => kv.Key.StartsWith("features.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        using var backbone = new VggBackbone(variant, 64);
        var actual = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Where(k => k.StartsWith("features.", StringComparison.Ordinal)).Order());
        foreach (var (key, shape) in expected) Assert.Equal(shape, actual[key]);
        Assert.Equal(5, backbone.Stages.Count);
    }

    [Fact]
    public void ResNetKeepsTorchVisionNamesAndStages()
    {
        using var backbone = new ResNetBackbone(18, 64);
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "layer4"], backbone.Stages);
        Assert.Contains("layer4.1.conv2", backbone.LayerNames);
        Assert.IsType<TorchSharp.Modules.Conv2d>(backbone.GetLayer("layer4.1.conv2"));
        Assert.Contains("layer1.0.bn1.running_mean", backbone.state_dict().Keys);
        // 11,176,512 parameters: torchvision's resnet18 (11,689,512) without fc (512 x 1000 + 1000).
        Assert.Equal(11_176_512L, backbone.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void UnknownLayerNameListsTheValidOnes()
    {
        using var backbone = new SmallCnnBackbone(32);
        var e = Assert.Throws<ArgumentException>(() => backbone.GetLayer("layer4"));
        Assert.Contains("no layer 'layer4'", e.Message);
        Assert.Contains("block4", e.Message);
        Assert.Contains("block1.0", e.Message);
        Assert.Throws<ArgumentException>(() => backbone.Freeze("layer9"));
    }

    [Fact]
    public void FrozenStagesGetNoGradientAndKeepBatchNormInEvalMode()
    {
        using var backbone = new SmallCnnBackbone(32, 0.5);
        backbone.FreezeUpTo("block2");
        Assert.True(backbone.IsFrozen("block1") && backbone.IsFrozen("block2") && !backbone.IsFrozen("block3"));
        backbone.train();
        var frozenBn = (TorchSharp.Modules.BatchNorm2d)backbone.GetLayer("block1.1");
        var liveBn = (TorchSharp.Modules.BatchNorm2d)backbone.GetLayer("block3.1");
        Assert.False(frozenBn.training);
        Assert.True(liveBn.training);
        using var before = frozenBn.running_mean!.clone();
        using var liveBefore = liveBn.running_mean!.clone();

        using var x = ModelTestSupport.Randn(5, 4, 3, 32, 32) + 0.5;
        using var loss = backbone.call(x).square().sum();
        using (TorchNativeSettings.SafeBackward()) loss.backward();
        foreach (var (name, p) in backbone.named_parameters())
        {
            bool frozen = name.StartsWith("block1.", StringComparison.Ordinal) || name.StartsWith("block2.", StringComparison.Ordinal);
            Assert.Equal(!frozen, p.requires_grad);
            if (frozen) Assert.True(p.grad is null, $"{name} has a gradient although frozen");
            else Assert.True(p.grad is not null && p.grad.abs().sum().ToDouble() > 0, $"{name} has no gradient");
        }
        Assert.True(ModelTestSupport.Same(frozenBn.running_mean!, before));
        Assert.False(ModelTestSupport.Same(liveBn.running_mean!, liveBefore));

        backbone.UnfreezeAll();
        Assert.True(frozenBn.training);
        Assert.All(backbone.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void LoadsPyTorchStateDictThroughPyBridge()
    {
        // small_cnn_w05.pt was written by torch.save(net.state_dict()) for the same layout in PyTorch 1.13, with its output
        // on a fixed input (Fixtures/Models/make_model_fixtures.py).
        using var backbone = new SmallCnnBackbone(32, 0.5);
        var path = ModelTestSupport.FixturePath("small_cnn_w05.pt");
        Assert.Equal(WeightsFormat.PyTorch, StateDictFile.DetectFormat(path));
        var result = backbone.LoadWeights(path);
        Assert.Equal(backbone.state_dict().Count, result.Loaded.Count);

        using var doc = JsonDocument.Parse(File.ReadAllText(ModelTestSupport.FixturePath("small_cnn_w05_io.json")));
        using var x = tensor(ModelTestSupport.Floats(doc.RootElement.GetProperty("input")), ModelTestSupport.Shape(doc.RootElement.GetProperty("input_shape")));
        using var expected = tensor(ModelTestSupport.Floats(doc.RootElement.GetProperty("output")), ModelTestSupport.Shape(doc.RootElement.GetProperty("output_shape")));
        backbone.eval();
        using var _ = no_grad();
        using var y = backbone.call(x);
        Assert.True(ModelTestSupport.MaxAbsDiff(y, expected) < 1e-5);
        Assert.Equal(7L, backbone.state_dict()["block1.1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void MismatchedWeightsFileListsTheDifferences()
    {
        using var temp = new TempFolder("emotion-torch-");
        var dir = temp.Path;
        var narrowPath = Path.Combine(dir, "narrow.dat");
        using (var narrow = new SmallCnnBackbone(32, 0.5)) StateDictFile.Write(narrowPath, narrow.state_dict());
        using var wide = new SmallCnnBackbone(32, 1.0);
        var e = Assert.Throws<WeightsMismatchException>(() => wide.LoadWeights(narrowPath));
        Assert.Contains("narrow.dat", e.Message);
        Assert.Contains("block1.0.weight: expected Float32 [16, 3, 3, 3], file has Float32 [8, 3, 3, 3]", e.Message);

        var resnetPath = Path.Combine(dir, "resnet18.dat");
        using (var r18 = new ResNetBackbone(18, 32)) StateDictFile.Write(resnetPath, r18.state_dict());
        using var r34 = new ResNetBackbone(34, 32);
        var missing = Assert.Throws<WeightsMismatchException>(() => r34.LoadWeights(resnetPath));
        Assert.Contains("layer1.2.conv1.weight", missing.Missing);
        Assert.Contains("Missing from the file", missing.Message);
        Assert.Throws<WeightsMismatchException>(() => wide.LoadWeights(resnetPath));

        var garbage = Path.Combine(dir, "garbage.dat");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7]);
        Assert.Contains("garbage.dat", Assert.Throws<InvalidDataException>(() => wide.LoadWeights(garbage)).Message);
    }

    [Fact]
    public void TorchSharpFormatRoundTripAndIgnoredClassifier()
    {
        using var temp = new TempFolder("emotion-torch-");
        var dir = temp.Path;
        using var source = new SmallCnnBackbone(32, 0.5);
        var sd = source.state_dict();
        // A file with an extra classifier entry, as a full network's state dict would have: skipped by a non-strict load.
        using var extra = zeros(3, 64);
        var withExtra = new Dictionary<string, Tensor>(sd) { ["fc.weight"] = extra };
        var path = Path.Combine(dir, "w.dat");
        StateDictFile.Write(path, withExtra);
        using var target = new SmallCnnBackbone(32, 0.5);
        Assert.Throws<WeightsMismatchException>(() => target.LoadWeights(path));
        var result = target.LoadWeights(path, strict: false);
        Assert.Equal(["fc.weight"], result.Ignored);
        foreach (var (k, v) in target.state_dict()) Assert.True(ModelTestSupport.Same(v, sd[k]), k);
    }

    [Fact]
    public void RegistryAcceptsCustomBackbonesAndExplainsUnknownNames()
    {
        var registry = new BackboneRegistry();
        registry.Register("tiny", (spec, ctx) => new SmallCnnBackbone(ctx.InputSize, double.Parse(spec.Parameters.GetValueOrDefault("w", "0.25"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("tiny", registry.Names);
        Assert.True(registry.Contains("TINY"));
        using var tiny = registry.Create(BackboneSpec.Named("tiny").WithParameter("w", "0.5"), new BackboneBuildContext(32));
        Assert.Equal(64, tiny.FeatureWidth);
        Assert.Throws<ArgumentException>(() => registry.Register("tiny", _ => new SmallCnnBackbone()));
        var e = Assert.Throws<KeyNotFoundException>(() => registry.Create(BackboneSpec.Named("nope"), new BackboneBuildContext(32)));
        Assert.Contains("resnet18", e.Message);
        Assert.Contains("tiny", e.Message);
        Assert.False(BackboneRegistry.Default.Contains("tiny"));
    }

    [Fact]
    public void DependencyInjectionRegistersOneConfiguredRegistry()
    {
        var services = new ServiceCollection();
        services.AddEmotionBackbones(r => r.Register("mine", _ => new SmallCnnBackbone(32, 0.25)));
        services.AddEmotionBackbones(r => r.Register("mine2", _ => new SmallCnnBackbone(32, 0.25)));
        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(BackboneRegistry));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        var registry = Assert.IsType<BackboneRegistry>(descriptor.ImplementationInstance);
        Assert.True(registry.Contains("mine") && registry.Contains("mine2") && registry.Contains(BackboneNames.ResNet18));
    }

    [Fact]
    public void BadSizesAndWidthsAreRejectedWithAdvice()
    {
        Assert.Contains("at least 32", Assert.Throws<ArgumentOutOfRangeException>(() => new ResNetBackbone(18, 16)).Message);
        Assert.Contains("divisible by 32", Assert.Throws<ArgumentException>(() => new VggBackbone(BackboneNames.Vgg11, 100, 64)).Message);
        Assert.Contains("no width multiplier", Assert.Throws<ArgumentException>(() =>
            BackboneRegistry.Default.Create(BackboneSpec.ResNet18() with { WidthMultiplier = 0.5 }, new BackboneBuildContext(64))).Message);
    }
}
