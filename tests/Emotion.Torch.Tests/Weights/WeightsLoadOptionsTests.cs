using Emotion.Torch.Backbones;
using Emotion.Torch.Models;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Weights;

/// <summary>Lenient loading: what real checkpoints lack or add is skipped on request and always reported.</summary>
[Collection(ModelTestSupport.Collection)]
public sealed class WeightsLoadOptionsTests
{
    /// <summary>conv + batch norm + a 7-class classifier (<c>0.*</c>, <c>1.*</c>, <c>4.*</c>).</summary>
    private static nn.Module<Tensor, Tensor> Net(int classes = 7) =>
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, classes));

    private static Dictionary<string, Tensor> StateOf(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    [Fact]
    public void MissingBatchCountersAreAllowedOnlyWhenAsked()
    {
        using var source = Net();
        using var target = Net();
        var dict = StateOf(source);
        dict.Remove("1.num_batches_tracked");
        var e = Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Apply(target, dict, "no-counters.pt"));
        Assert.Equal(["1.num_batches_tracked"], e.Missing);
        Assert.Contains("WeightsLoadOptions", e.Message);

        var result = StateDictLoader.Apply(target, dict, "no-counters.pt", WeightsLoadOptions.Default with { AllowMissingBatchCounters = true });
        Assert.Equal(["1.num_batches_tracked"], result.MissingBatchCounters);
        Assert.Equal(dict.Count, result.Loaded.Count);
        Assert.Contains("Missing batch-norm counters (num_batches_tracked), left as they were: 1.", result.Summary());
        Assert.True(ModelTestSupport.Same(target.state_dict()["0.weight"], dict["0.weight"]));
    }

    [Fact]
    public void ClassifierOfAnotherShapeIsSkippedAndReported()
    {
        using var source = Net(classes: 8);
        using var target = Net(classes: 7);
        var dict = StateOf(source);
        using var before = target.state_dict()["4.weight"].clone();
        var e = Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Apply(target, dict, "eight.pt", WeightsLoadOptions.Default));
        Assert.Contains("4.weight: expected Float32 [7, 4], file has Float32 [8, 4]", e.Message);
        Assert.Contains("SkipMismatchedShapes", e.Message);

        var result = StateDictLoader.Apply(target, dict, "eight.pt", WeightsLoadOptions.Default with { SkipMismatchedShapes = true });
        Assert.Equal(["4.bias", "4.weight"], result.Mismatched.Select(m => m.Key).Order());
        Assert.Empty(result.Missing); // skipped entries are reported as mismatched, not missing
        Assert.False(result.IsComplete);
        Assert.True(ModelTestSupport.Same(target.state_dict()["4.weight"], before));
        Assert.True(ModelTestSupport.Same(target.state_dict()["0.weight"], dict["0.weight"]));
        string summary = result.Summary();
        Assert.Contains("Loaded 7 of 9 module entries from 'eight.pt' (TorchSharp).", summary);
        Assert.Contains("Skipped, shape or type differs (2):", summary);
    }

    [Fact]
    public void LenientLoadReportsExtraAndMissingEntriesButFailsWhenNothingFits()
    {
        using var source = Net();
        using var target = Net();
        var dict = StateOf(source);
        dict.Remove("4.bias");
        dict["head.extra"] = zeros(2);
        Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Apply(target, dict, "extra.pt", WeightsLoadOptions.Default));
        var result = StateDictLoader.Apply(target, dict, "extra.pt", WeightsLoadOptions.Lenient);
        Assert.Equal(["head.extra"], result.Unexpected);
        Assert.Equal(["head.extra"], result.Ignored);
        Assert.Equal(["4.bias"], result.Missing);
        Assert.Contains("Unexpected in the file, not used (1):", result.ToString());
        Assert.Contains("Missing from the file, left as initialised (1):", result.ToString());

        var unrelated = new Dictionary<string, Tensor> { ["other.weight"] = zeros(3) };
        var e = Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Apply(target, unrelated, "unrelated.pt", WeightsLoadOptions.Lenient));
        Assert.Contains("Nothing in the file fits", e.Message);
    }

    [Fact]
    public void KeyMapsRenamePrefixesAndRefuseTwoEntriesForOneName()
    {
        using var source = Net();
        using var target = Net();
        var dict = StateOf(source).ToDictionary(kv => "module.backbone." + kv.Key, kv => kv.Value);
        var options = WeightsLoadOptions.Default with { KeyMap = WeightsKeyMap.StripPrefix("module.").Then(WeightsKeyMap.StripPrefix("backbone.")) };
        var result = StateDictLoader.Apply(target, dict, "dp.pt", options);
        Assert.True(result.IsComplete);
        Assert.Equal("0.weight", result.Renamed["module.backbone.0.weight"]);

        dict["module.0.weight"] = dict["module.backbone.0.weight"];
        var e = Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Apply(target, dict, "dp.pt", options));
        Assert.Contains("both map to it", e.Message);

        Assert.Equal("features.28.weight", WeightsKeyMap.VggFace.Map("conv5_3.weight"));
        Assert.Equal("features.5.bias", WeightsKeyMap.VggFace.Map("conv_2_1.bias"));
        Assert.Equal("classifier.6.weight", WeightsKeyMap.VggFace.Map("fc8.weight"));
        Assert.Equal("fc.0.weight", WeightsKeyMap.AffWildNet.Map("fc6.weight"));
        Assert.Equal("fc.0.weight", WeightsKeyMap.AffWildNet.Map("classifier.0.weight"));
        Assert.Equal("features.10.weight", WeightsKeyMap.AffWildNet.Map("features.10.weight"));
    }

    [Fact]
    public void OptionsSurviveTheModelOptionsJson()
    {
        var spec = BackboneSpec.Vgg16("vgg.pth", fullyConnectedWidth: 4096) with { WeightsLoading = EmotionModelPresets.AffWildNetWeightsLoading };
        var options = EmotionModel.Create().UseAffWildNetPreset().WithBackbone(spec).WithInput(2, 32).ToOptions();
        var back = EmotionModelOptions.FromJson(options.ToJson());
        Assert.Equal(options, back);
        Assert.Equal(WeightsKeyMap.AffWildNet, back.Backbone.WeightsLoading!.KeyMap);
        Assert.Equal(ResNetVariant.Cntk, EmotionModelOptions.FromJson(
            (options with { Backbone = BackboneSpec.ResNet18Cntk() }).ToJson()).Backbone.ResNetVariant);
    }

    /// <summary>
    /// VGG-16's convolutions with random values, named as TorchVision's vgg16 or as the VGG-Face port, plus the three fully
    /// connected layers. Those are only there to be renamed, skipped and reported, so their input width is cut from
    /// 25088 to 8 to keep the file small (either way they do not fit AffWildNet's fc at this frame size).
    /// </summary>
    private static string WriteVgg16(string dir, bool vggFace)
    {
        int[] channels = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
        var dict = new Dictionary<string, Tensor>();
        int index = 0, block = 1, conv = 1;
        long inC = 3;
        var gen = new Generator(11);
        foreach (int c in channels)
        {
            if (c == 0) { index++; block++; conv = 1; continue; }
            string name = vggFace ? $"conv{block}_{conv}" : $"features.{index}";
            dict[$"{name}.weight"] = randn([c, inC, 3, 3], generator: gen) * 0.01;
            dict[$"{name}.bias"] = randn([c], generator: gen) * 0.01;
            inC = c;
            index += 2;
            conv++;
        }
        string[] fc = vggFace ? ["fc6", "fc7", "fc8"] : ["classifier.0", "classifier.3", "classifier.6"];
        dict[$"{fc[0]}.weight"] = zeros(16, 8);
        dict[$"{fc[0]}.bias"] = zeros(16);
        dict[$"{fc[1]}.weight"] = zeros(16, 16);
        dict[$"{fc[1]}.bias"] = zeros(16);
        dict[$"{fc[2]}.weight"] = zeros(10, 16);
        dict[$"{fc[2]}.bias"] = zeros(10);
        string path = Path.Combine(dir, vggFace ? "vgg_face.dat" : "vgg16_imagenet.dat");
        StateDictFile.Write(path, dict);
        foreach (var t in dict.Values) t.Dispose();
        return path;
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(false)]
    [InlineData(true)]
    public void AffWildNetPresetStartsFromVgg16ImagenetOrVggFaceWeights(bool vggFace)
    {
        var dir = TempFolder.Create("emotion-torch-");
        try
        {
            string path = WriteVgg16(dir, vggFace);
            // Strictly, as before: VGG-16's names or its classifier do not fit AffWildNet's backbone.
            Assert.Throws<WeightsMismatchException>(() => EmotionModel.Create().UseAffWildNetPreset()
                .WithBackbone(BackboneSpec.Vgg16(path, fullyConnectedWidth: 4096)).WithInput(2, 32).Build().Dispose());

            // The preset (small frames keep the test light; the convolutions do not depend on the frame size).
            using var model = EmotionModelPresets.AffWildNet(path).WithInput(frames: 2, size: 32).Build();
            var load = model.Backbone.WeightsLoad!;
            Assert.Equal(26, load.Loaded.Count); // 13 convolutions, weight and bias
            Assert.Equal(["fc.0.bias", "fc.0.weight"], load.Mismatched.Select(m => m.Key).Order());
            Assert.Equal(vggFace ? "fc6.weight" : "classifier.0.weight", load.Mismatched.Single(m => m.Key == "fc.0.weight").SourceKey);
            Assert.Empty(load.Missing);
            Assert.Empty(load.Unexpected);
            Assert.Equal(4, load.Ignored.Count); // VGG-16's second and third fully connected layers
            Assert.Equal(vggFace ? 32 : 2, load.Renamed.Count);
            Assert.Contains("fc.0.weight: expected Float32 [4096, 512], file has Float32 [16, 8]", load.Summary());

            var file = StateDictFile.Read(path);
            try
            {
                var conv = file[vggFace ? "conv5_3.weight" : "features.28.weight"];
                Assert.True(ModelTestSupport.Same(((Backbone)model.Backbone).GetLayer("features.28").state_dict()["weight"], conv));
            }
            finally
            {
                foreach (var t in file.Values) t.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
