using Emotion.Core;
using Emotion.Core.IO;
using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Import;
using Emotion.Torch.Models;
using Emotion.Torch.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Pretrained;

public sealed class PretrainedModelsTests
{
    [Fact]
    public void TheCatalogueNamesEachEntrysSourceFilesAndLicence()
    {
        Assert.Contains(PretrainedModels.FaceExpression, PretrainedModels.Names);
        Assert.Contains(PretrainedModels.ResNet18ImageNet, PretrainedModels.Names);
        Assert.Contains(PretrainedModels.DefaultRealFace, PretrainedModels.Names);
        foreach (string name in PretrainedModels.Names)
        {
            var entry = PretrainedModels.Get(name.ToUpperInvariant()); // case-insensitive
            Assert.Equal("MIT", entry.License);
            Assert.NotEmpty(entry.Files);
            Assert.All(entry.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
            Assert.True(File.Exists(Path.Combine(RepositoryRoot(), entry.DocsPage!)), $"{name}: {entry.DocsPage} is missing");
            // Every file is listed, with the same hash, in assets/assets.tsv, which setup fetches.
            var rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "assets", "assets.tsv")).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToArray();
            Assert.All(entry.Files, f => Assert.Contains(rows, r => r[0] == f.FileName && r[3] == f.PackagePath && r[4] == f.Sha256));
        }
        var unknown = Assert.Throws<KeyNotFoundException>(() => PretrainedModels.Get("vgg-face-9000"));
        Assert.Contains("face-expression", unknown.Message);
    }

    [Fact]
    public void AMissingFileSaysHowToFetchItAndAChangedFileIsRefused()
    {
        using var temp = new TempFolder("emotion-pretrained-");
        string dir = temp.Path;
        var missing = Assert.Throws<FileNotFoundException>(() => PretrainedModels.CreateModel(PretrainedModels.FaceExpression, dir));
        Assert.Contains("face_expression_model-weights_manifest.json", missing.Message);
        Assert.Contains(dir, missing.Message);

        foreach (var file in PretrainedModels.Get(PretrainedModels.FaceExpression).Files)
            File.Copy(TestAssets.Path(file.FileName), Path.Combine(dir, file.FileName));
        using (var model = PretrainedModels.CreateModel(PretrainedModels.FaceExpression, dir)) Assert.False(model.training);
        var bytes = File.ReadAllBytes(Path.Combine(dir, "face_expression_model.bin"));
        bytes[1000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(dir, "face_expression_model.bin"), bytes);
        var changed = Assert.Throws<InvalidDataException>(() => PretrainedModels.CreateModel(PretrainedModels.FaceExpression, dir));
        Assert.Contains("SHA-256", changed.Message);
        Assert.Contains("face_expression_model.bin", changed.Message);

        string? saved = Environment.GetEnvironmentVariable(AssetCache.EnvironmentVariable);
        Environment.SetEnvironmentVariable(AssetCache.EnvironmentVariable, Path.Combine(Path.GetTempPath(), "no-such-cache-" + Guid.NewGuid().ToString("N")));
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => BackboneSpec.Pretrained(PretrainedModels.FaceExpression) is var spec
                ? BackboneRegistry.Default.Create(spec, new BackboneBuildContext(112)) : null);
            Assert.Contains("./build.sh setup", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AssetCache.EnvironmentVariable, saved);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void APretrainedBackboneHoldsExactlyTheConvertedWeightsAndBringsItsNormalisation()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 2, size: 96)
            .WithBackbone(BackboneSpec.Pretrained(PretrainedModels.ResNet18ImageNet))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8))
            .FreezeBackbone(upToStage: "layer1")
            .WithSeed(1)
            .Build();
        Assert.Equal(Normalization.ZeroToOne, model.Info.Normalization);
        Assert.Equal(ResNetVariant.Cntk, model.Options.Backbone.ResNetVariant);
        Assert.Equal(PretrainedModels.ResNet18ImageNet, model.Options.Backbone.PretrainedWeights);
        var expected = CntkResNetWeights.FromOnnx(TestAssets.Path("ResNet18.onnx"), TestAssets.Path("ResNetPreprocess.onnx"));
        try
        {
            var actual = model.Backbone.state_dict();
            foreach (var (key, tensor) in expected)
                Assert.True(tensor.allclose(actual[key], rtol: 0, atol: 0), $"{key} differs from the converted weights");
        }
        finally
        {
            foreach (var t in expected.Values) t.Dispose();
        }
        Assert.True(model.Backbone.IsFrozen("layer1"));

        var e = Assert.Throws<InvalidOperationException>(() => PretrainedModels.CreateModel(PretrainedModels.ResNet18ImageNet));
        Assert.Contains("no expression classifier", e.Message);
        Assert.Contains("--pretrained resnet18-imagenet", e.Message);
    }

    [Fact]
    public void TheReadyToUseModelIsPerFrameWithEstimatedValenceArousalAndItsOrigin()
    {
        using var model = PretrainedModels.CreateModel(PretrainedModels.DefaultRealFace);
        Assert.Equal(EmotionTask.Combined, model.Info.Task);
        Assert.Equal(ValenceArousalSource.CategoryExpectation, model.Info.ValenceArousalSource);
        Assert.Equal(RecurrentKind.None, model.Options.Head.Kind);
        Assert.Equal(PretrainedModels.Get(PretrainedModels.DefaultRealFace).OriginLine, model.Info.Origin);
        Assert.Contains("npm @vladmandic/", model.Info.Origin);
        Assert.Null(model.Regressor);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Emotion.Core.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("The repository root (Emotion.Core.sln) is not above the test's folder.");
    }
}
