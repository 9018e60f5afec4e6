using System.Text.Json.Nodes;
using Emotion.Core;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Models;
using Emotion.Torch.Pretrained;
using Emotion.Torch.Weights;
using Emotion.Torch.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Import;

/// <summary>
/// human-models' emotion network (oarriaga's FER-2013 big_XCEPTION as a TF.js graph model) imported into
/// <see cref="MiniXceptionBackbone"/> and compared with the TF.js outputs recorded in Fixtures/RealFaces/reference.json.
/// </summary>
[Collection(ModelTestSupport.Collection)]
public sealed class MiniXceptionImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void EveryTensorAndNodeOfTheRealFileIsAccountedFor()
    {
        var file = TfjsModelFile.Load(TestAssets.Path("emotion.json"));
        var map = MiniXceptionWeights.Mapping(file);
        Assert.Empty(map.Unused);
        // 22 mapped tensors (stem 2 x 2, each block 8, top 2) plus the consumed int32 reduction_indices = the file's 23.
        Assert.Equal(22, map.Keys.Count);
        Assert.Equal(23, file.Weights.Count);

        var dict = MiniXceptionWeights.FromTfjs(file);
        try
        {
            Assert.Equal(24, dict.Count);
            Assert.All(dict.Keys, k => Assert.True(k.StartsWith("backbone.", StringComparison.Ordinal) || k.StartsWith("classifier.", StringComparison.Ordinal), k));
            // The classifier is the permutation from FER-2013's order to EmotionCategories.Basic, without bias.
            var permutation = dict["classifier.weight"];
            Assert.Equal([7L, 7], permutation.shape);
            for (int i = 0; i < 7; i++)
                for (int j = 0; j < 7; j++)
                    Assert.Equal(j == MiniXceptionWeights.Fer2013IndexOf[i] ? 1f : 0f, permutation[i, j].item<float>());
            Assert.Equal(0f, dict["classifier.bias"].abs().max().item<float>());
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }

        using var model = EmotionModel.FromOptions(PretrainedModels.ModelOptions(PretrainedModels.MiniXceptionFer2013));
        var weights = MiniXceptionWeights.FromTfjs(file);
        WeightsLoadResult result;
        try
        {
            result = StateDictLoader.Apply(model, weights, file.Path, WeightsFormat.TfJs, strict: true);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        Assert.Equal(24, result.Loaded.Count);
        Assert.Empty(result.Missing);
        Assert.Empty(result.Ignored);
        // Batch norm folded: 205,127 numbers, the 208,871 of Keras' big_XCEPTION less 3 per batch-norm channel (1,248 channels).
        Assert.Equal(205_127, model.Backbone.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Fer2013OrderMapsToTheLibraryOrder()
    {
        Assert.Equal([6, 0, 1, 2, 3, 4, 5], MiniXceptionWeights.Fer2013IndexOf.ToArray());
        var labels = RealFaceFixtures.Reference().GetProperty("miniXception").GetProperty("labels").EnumerateArray().Select(l => l.GetString()).ToArray();
        string[] expected = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];
        Assert.Equal(expected, labels);
        Assert.Equal(
            [EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear, EmotionCategory.Happiness, EmotionCategory.Sadness, EmotionCategory.Surprise, EmotionCategory.Neutral],
            MiniXceptionBackbone.Fer2013Labels);
        for (int i = 0; i < 7; i++)
            Assert.Equal(EmotionCategories.Basic[i], MiniXceptionBackbone.Fer2013Labels[MiniXceptionWeights.Fer2013IndexOf[i]]);
    }

    [Fact]
    public void TheReferenceGrayscaleInputGivesHumanOutputs()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.MiniXceptionFer2013);
        var backbone = model.Backbone;
        double worst = 0;
        foreach (var crop in Crops())
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            // NHWC with one channel has NCHW's memory order.
            var x = tensor(RealFaceFixtures.Floats(crop.GetProperty("input")), [1, 1, 64, 64]);
            foreach (var step in new[] { "stem", "block1", "block2", "top", "pool", "flatten" })
                x = ((nn.Module<Tensor, Tensor>)backbone.GetLayer(step)).call(x);
            var probabilities = x.softmax(-1).data<float>().ToArray();
            double diff = RealFaceFixtures.MaxAbsDiff(RealFaceFixtures.Floats(crop.GetProperty("outputs")), probabilities);
            worst = Math.Max(worst, diff);
            Assert.True(diff <= Tolerance, $"{crop.GetProperty("file")}: probabilities differ from human's by {diff:G4}.");
        }
        output.WriteLine($"reference grayscale input: max |TorchSharp - TF.js| = {worst:G3}");
    }

    [Fact]
    public void TheRgbCropsThroughTheWholeModelGiveHumanProbabilitiesInLibraryOrder()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.MiniXceptionFer2013);
        Assert.Equal(Normalization.ZeroToOne, model.Info.Normalization);
        Assert.Equal(EmotionCategories.Basic, model.Info.Categories);
        var crops = Crops().ToArray();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // All crops at once: batch 5, one frame each, RGB pixels in [0, 1].
        var frames = stack(crops.Select(c => model.Normalize(RealFaceFixtures.Pixels01(c.GetProperty("file").GetString()!))).ToArray()).unsqueeze(1);
        using var result = model.forward(frames);
        var libraryOrder = result.Logits!.softmax(-1).reshape(crops.Length, 7);
        var ferOrder = result.Features.reshape(crops.Length, 7).softmax(-1);

        double worstGray = 0, worstFer = 0, worstLibrary = 0;
        var gray = ((nn.Module<Tensor, Tensor>)model.Backbone.GetLayer("grayscale")).call(frames.squeeze(1));
        for (int n = 0; n < crops.Length; n++)
        {
            var human = RealFaceFixtures.Floats(crops[n].GetProperty("outputs"));
            worstGray = Math.Max(worstGray, RealFaceFixtures.MaxAbsDiff(RealFaceFixtures.Floats(crops[n].GetProperty("input")), gray[n].flatten().data<float>().ToArray()));
            worstFer = Math.Max(worstFer, RealFaceFixtures.MaxAbsDiff(human, ferOrder[n].data<float>().ToArray()));
            var library = libraryOrder[n].data<float>().ToArray();
            for (int i = 0; i < 7; i++) worstLibrary = Math.Max(worstLibrary, Math.Abs(human[MiniXceptionWeights.Fer2013IndexOf[i]] - library[i]));
        }
        output.WriteLine($"RGB crops: grayscale step {worstGray:G3}, features (FER order) {worstFer:G3}, model probabilities (library order) {worstLibrary:G3}");
        Assert.True(worstGray <= 1e-6, $"The grayscale step differs from human's input by {worstGray:G4}.");
        Assert.True(worstFer <= Tolerance, $"The backbone's class scores differ from human's by {worstFer:G4}.");
        Assert.True(worstLibrary <= Tolerance, $"The model's probabilities differ from human's (reordered) by {worstLibrary:G4}.");
    }

    [Fact]
    public void TheCatalogueEntryGivesTheSameClassifierAndAToplessPretrainedBackbone()
    {
        var entry = PretrainedModels.Get(PretrainedModels.MiniXceptionFer2013);
        Assert.Equal(InputColor.Grayscale, entry.Color);
        Assert.Equal(Normalization.ZeroToOne, entry.Normalization);
        Assert.Equal(64, entry.InputSize);
        Assert.True(File.Exists(Path.Combine(RealFaceFixtures.Folder, "..", "..", "..", "..", entry.DocsPage!)), entry.DocsPage);

        using var model = PretrainedModels.CreateModel(PretrainedModels.MiniXceptionFer2013, TestAssets.Directory);
        Assert.Equal(7, model.Backbone.FeatureWidth);
        var crops = Crops().ToArray();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var frames = stack(crops.Select(c => model.Normalize(RealFaceFixtures.Pixels01(c.GetProperty("file").GetString()!))).ToArray()).unsqueeze(1);
            using var result = model.forward(frames);
            var probabilities = result.Logits!.softmax(-1).reshape(crops.Length, 7);
            for (int n = 0; n < crops.Length; n++)
            {
                var human = RealFaceFixtures.Floats(crops[n].GetProperty("outputs"));
                var library = probabilities[n].data<float>().ToArray();
                for (int i = 0; i < 7; i++)
                    Assert.True(Math.Abs(human[MiniXceptionWeights.Fer2013IndexOf[i]] - library[i]) <= Tolerance, $"{crops[n].GetProperty("file")}, class {i}");
            }
        }

        // Transfer learning: the entry's backbone has no top (256 features) and loads strictly, skipping top.*.
        using var backbone = BackboneRegistry.Default.Create(BackboneSpec.Pretrained(PretrainedModels.MiniXceptionFer2013, TestAssets.Directory), new BackboneBuildContext(64));
        Assert.Equal(256, backbone.FeatureWidth);
        var source = model.Backbone.state_dict();
        foreach (var (key, value) in backbone.state_dict())
            Assert.True(ModelTestSupport.Same(source[key], value), key);
    }

    [Fact]
    public void AGraphOfAnotherShapeFailsNamingTheNode()
    {
        string source = TestAssets.Path("emotion.json");
        using var temp = new TempFolder("emotion-mini-xception-");
        string folder = temp.Path;
        var json = JsonNode.Parse(File.ReadAllText(source))!;
        var node = json["modelTopology"]!["node"]!.AsArray().Single(n => (string?)n!["name"] == "StatefulPartitionedCall/model_1/max_pooling2d_1/MaxPool")!;
        node["attr"]!["padding"]!["s"] = Convert.ToBase64String("VALID"u8.ToArray());
        File.WriteAllText(Path.Combine(folder, "emotion.json"), json.ToJsonString());
        File.Copy(TestAssets.Path("emotion.bin"), Path.Combine(folder, "emotion.bin"));

        var file = TfjsModelFile.Load(Path.Combine(folder, "emotion.json"));
        var e = Assert.Throws<InvalidDataException>(() => MiniXceptionWeights.Mapping(file));
        Assert.Contains("max_pooling2d_1/MaxPool", e.Message);
        Assert.Contains("expected SAME", e.Message);
        Assert.Contains(folder, e.Message);
    }

    private static IEnumerable<System.Text.Json.JsonElement> Crops() =>
        RealFaceFixtures.Reference().GetProperty("miniXception").GetProperty("crops").EnumerateArray();
}
