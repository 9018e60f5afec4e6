using System.Text.Json.Nodes;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Torch.Tests.Models;

[Collection(ModelTestSupport.Collection)]
public sealed class EmotionModelTests
{
    private static EmotionModelBuilder Small(HeadSpec? head = null, EmotionTask task = EmotionTask.Combined) => EmotionModel.Create()
        .WithInput(frames: 4, size: 32)
        .WithBackbone(BackboneSpec.SmallCnn(0.5))
        .WithRecurrentHead(head ?? HeadSpec.Gru(hidden: 8, layers: 2))
        .ForTask(task)
        .WithSeed(7);

    [Fact]
    public void BuilderRecordsTheWholeArchitectureInTheOptions()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 8, size: 64)
            .WithBackbone(BackboneSpec.ResNet18())
            .WithRecurrentHead(HeadSpec.Gru(hidden: 128, layers: 2, bidirectional: false))
            .ForTask(EmotionTask.Combined)
            .OnDevice(DeviceType.CPU)
            .WithSeed(42)
            .Build();
        var o = model.Options;
        Assert.Equal(BackboneNames.ResNet18, o.Backbone.Name);
        Assert.Equal(HeadSpec.Gru(128, 2), o.Head);
        Assert.Equal(Normalization.ImageNet, o.Normalization);
        Assert.Equal(new EmotionModelInfo
        {
            Task = EmotionTask.Combined,
            Categories = EmotionCategories.Basic,
            FrameSize = 64,
            Normalization = Normalization.ImageNet,
            SequenceLength = 8,
        }.ToJson(), model.Info.ToJson());
        Assert.Equal(["backbone", "head", "classifier", "regressor"], model.named_children().Select(c => c.name));
        Assert.Equal(512, model.Backbone.FeatureWidth);
        Assert.Equal(128, model.Head.OutputWidth);

        var json = o.ToJson();
        var back = EmotionModelOptions.FromJson(json);
        Assert.Equal(o, back);
        Assert.Contains("\"name\": \"resnet18\"", json);
        Assert.Contains("\"task\": \"combined\"", json);
        // Training settings are not part of the architecture: the loss is a trainer option, the seed an action of Build.
        Assert.DoesNotContain("\"loss\"", json);
        Assert.DoesNotContain("\"seed\"", json);
    }

    [Fact]
    public void ModelJsonOfTheEarlierFormatWithLossAndSeedStillReads()
    {
        using var model = Small().Build();
        var current = JsonNode.Parse(model.Options.ToJson())!.AsObject();
        // The layout written while the options carried the loss and the seed: both fields, set and null.
        var withValues = current.DeepClone().AsObject();
        withValues["loss"] = JsonNode.Parse(Emotion.Torch.Losses.LossSpec.DefaultFor(EmotionTask.Combined).ToJson());
        withValues["seed"] = 7;
        var withNulls = current.DeepClone().AsObject();
        withNulls["loss"] = null;
        withNulls["seed"] = null;
        foreach (var old in new[] { withValues, withNulls })
        {
            var read = EmotionModelOptions.FromJson(old.ToJsonString());
            Assert.Equal(model.Options, read);
            Assert.Equal(model.Options.ToJson(), read.ToJson());
        }

        // The fuzzing seed is a model.json written by the earlier version (loss and seed null).
        string seedFile = Path.Combine(RepositoryRoot(), "tests", "fuzz", "seeds", "model-options", "valid.json");
        var legacy = EmotionModelOptions.FromJson(File.ReadAllText(seedFile));
        Assert.Equal(BackboneNames.ResNet18, legacy.Backbone.Name);
        Assert.Equal(64, legacy.FrameSize);
        Assert.DoesNotContain("\"loss\"", legacy.ToJson());
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException($"No repository root (Directory.Packages.props) above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void ParameterGroupsSplitTheModel()
    {
        using var model = Small().Build();
        var all = model.parameters().Select(p => p.Handle).ToHashSet();
        var backbone = model.BackboneParameters().Select(p => p.Handle).ToList();
        var head = model.HeadParameters().Select(p => p.Handle).ToList();
        Assert.Equal(all.Count, backbone.Count + head.Count);
        Assert.True(all.SetEquals(backbone.Concat(head)));
        Assert.Empty(backbone.Intersect(head));
    }

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        using var a = Small().Build();
        using var b = Small().Build();
        using var c = Small().WithSeed(8).Build();
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.All(sa, kv => Assert.True(ModelTestSupport.Same(kv.Value, sb[kv.Key]), kv.Key));
        Assert.False(ModelTestSupport.Same(sa["head.rnn.weight_ih_l0"], c.state_dict()["head.rnn.weight_ih_l0"]));
    }

    [Theory]
    [InlineData(RecurrentKind.Gru)]
    [InlineData(RecurrentKind.Lstm)]
    public void StreamingTwoChunksEqualsTheWholeSequence(RecurrentKind kind)
    {
        var head = kind == RecurrentKind.Gru ? HeadSpec.Gru(hidden: 8, layers: 2) : HeadSpec.Lstm(hidden: 8, layers: 2);
        using var model = Small(head).Build();
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var frames = ModelTestSupport.Randn(5, 2, 7, 3, 32, 32);
        var whole = model.call(frames);
        var first = model.Forward(frames.narrow(1, 0, 3), null);
        var second = model.Forward(frames.narrow(1, 3, 4), first.State);
        var logits = cat([first.Logits!, second.Logits!], 1);
        var va = cat([first.ValenceArousal!, second.ValenceArousal!], 1);
        Assert.True(ModelTestSupport.MaxAbsDiff(whole.Logits!, logits) < 1e-5);
        Assert.True(ModelTestSupport.MaxAbsDiff(whole.ValenceArousal!, va) < 1e-5);
        Assert.True(ModelTestSupport.MaxAbsDiff(whole.State!.Hidden, second.State!.Hidden) < 1e-5);
        // The chunk results are not trivially equal to a restart from zero.
        var restarted = model.Forward(frames.narrow(1, 3, 4), null);
        Assert.True(ModelTestSupport.MaxAbsDiff(restarted.Logits!, second.Logits!) > 1e-4);
    }

    [Fact]
    public void BidirectionalModelCannotStream()
    {
        using var model = Small(HeadSpec.Gru(hidden: 4, bidirectional: true)).Build();
        using var scope = NewDisposeScope();
        var frames = ModelTestSupport.Randn(1, 1, 2, 3, 32, 32);
        var first = model.call(frames);
        Assert.Throws<InvalidOperationException>(() => model.Forward(frames, first.State));
    }

    [Fact]
    public void SaveAndLoadReproduceEveryOutputValue()
    {
        using var temp = new TempFolder("emotion-torch-");
        var dir = temp.Path;
        using var model = Small(HeadSpec.Lstm(hidden: 8, layers: 2), EmotionTask.Combined).WithOtherCategory().FreezeBackbone("block1").Build();
        // Train mode for a step so that batch-norm statistics move away from their initial values.
        model.train();
        using (var warm = ModelTestSupport.Randn(9, 2, 4, 3, 32, 32)) model.call(warm).Dispose();
        model.eval();
        model.Save(dir);
        Assert.True(File.Exists(Path.Combine(dir, EmotionModel.WeightsFileName)));
        Assert.True(File.Exists(Path.Combine(dir, EmotionModel.OptionsFileName)));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

        using var loaded = EmotionModel.Load(dir);
        loaded.eval();
        Assert.Equal(model.Options, loaded.Options);
        Assert.True(loaded.Backbone.IsFrozen("block1"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var frames = ModelTestSupport.Randn(10, 2, 4, 3, 32, 32);
        var a = model.call(frames);
        var b = loaded.call(frames);
        Assert.True(ModelTestSupport.Same(a.Logits!, b.Logits!));
        Assert.True(ModelTestSupport.Same(a.ValenceArousal!, b.ValenceArousal!));
        Assert.True(ModelTestSupport.Same(a.Features, b.Features));
        Assert.Equal(8, b.Logits!.shape[2]);
        using var fromFile = EmotionModel.Load(Path.Combine(dir, EmotionModel.OptionsFileName));
    }

    [Fact]
    public void LoadingAnotherArchitecturesWeightsFailsClearly()
    {
        using var temp = new TempFolder("emotion-torch-");
        var dir = temp.Path;
        using (var gru = Small(HeadSpec.Gru(hidden: 8, layers: 2)).Build()) gru.Save(dir);
        using var lstm = Small(HeadSpec.Lstm(hidden: 8, layers: 2)).Build();
        var e = Assert.Throws<WeightsMismatchException>(() => lstm.LoadWeights(Path.Combine(dir, EmotionModel.WeightsFileName)));
        Assert.Contains("head.rnn.weight_ih_l0: expected Float32 [32, 64], file has Float32 [24, 64]", e.Message);
        Assert.Contains(EmotionModel.WeightsFileName, e.Message);

        using var categorical = Small(task: EmotionTask.Categorical).Build();
        var missing = Assert.Throws<WeightsMismatchException>(() => categorical.LoadWeights(Path.Combine(dir, EmotionModel.WeightsFileName)));
        Assert.Contains("regressor.weight", missing.Unexpected);

        // A folder whose options were replaced by another architecture's.
        File.WriteAllText(Path.Combine(dir, EmotionModel.OptionsFileName), lstm.Options.ToJson());
        Assert.Throws<WeightsMismatchException>(() => EmotionModel.Load(dir));
        File.WriteAllText(Path.Combine(dir, EmotionModel.OptionsFileName), "{ not json");
        Assert.Contains(EmotionModel.OptionsFileName, Assert.Throws<FormatException>(() => EmotionModel.Load(dir)).Message);
        Assert.Throws<FileNotFoundException>(() => EmotionModel.Load(Path.Combine(dir, "missing")));
    }

    [Fact]
    public void BuildExplainsWhatToChange()
    {
        string Message(Func<EmotionModelBuilder, EmotionModelBuilder> configure) =>
            Assert.Throws<ArgumentException>(() => configure(EmotionModel.Create().WithBackbone(BackboneSpec.SmallCnn(0.25))).Build()).Message;

        Assert.Contains("at least 32", Message(b => b.WithBackbone(BackboneSpec.ResNet18()).WithInput(8, 24)));
        Assert.Contains("divisible by 32", Message(b => b.WithBackbone(BackboneSpec.Vgg16(fullyConnectedWidth: 64)).WithInput(8, 100)));
        Assert.Contains("Unknown backbone 'resnet7'", Message(b => b.WithBackbone("resnet7")));
        Assert.Contains("layers: 2", Message(b => b.WithRecurrentHead(HeadSpec.Gru(hidden: 8, layers: 1, dropout: 0.2))));
        Assert.Contains("EmotionCategories.Basic", Message(b => b.WithCategories([EmotionCategory.Anger, EmotionCategory.Fear])));
        Assert.Contains("sequence length must be positive", Message(b => b.WithInput(0, 32)));
        Assert.Contains("no stage 'layer3'", Message(b => b.WithInput(4, 32).FreezeStages("layer3")));
        Assert.Contains("no stage 'layer3'", Message(b => b.WithInput(4, 32).FreezeBackbone("layer3")));
        Assert.Contains("output dropout", Message(b => b.WithInput(4, 32).WithOutputDropout(1.5)));
    }

    [Fact]
    public void FramesOfTheWrongShapeAreRejected()
    {
        using var model = Small().Build();
        using var wrongSize = zeros(new long[] { 1, 2, 3, 40, 40 });
        Assert.Contains("[B, T, 3, 32, 32]", Assert.Throws<ArgumentException>(() => model.call(wrongSize)).Message);
        using var fourD = zeros(2, 3, 32, 32);
        Assert.Throws<ArgumentException>(() => model.call(fourD));
        using var doubles = zeros(new long[] { 1, 2, 3, 32, 32 }, dtype: ScalarType.Float64);
        Assert.Contains("float32", Assert.Throws<ArgumentException>(() => model.call(doubles)).Message);
    }

    [Fact]
    public void FreezingTheBackboneLeavesOnlyTheHeadTrainable()
    {
        using var model = Small().FreezeBackbone().Build();
        Assert.Equal(model.Backbone.Stages, model.Options.FrozenStages);
        model.train();
        using var scope = NewDisposeScope();
        var output = model.call(ModelTestSupport.Randn(2, 2, 4, 3, 32, 32));
        using (TorchNativeSettings.SafeBackward()) (output.Logits!.sum() + output.ValenceArousal!.sum()).backward();
        Assert.All(model.BackboneParameters(), p => Assert.Null(p.grad));
        Assert.All(model.HeadParameters(), p => Assert.NotNull(p.grad));
        Assert.All(model.Backbone.modules().OfType<TorchSharp.Modules.BatchNorm2d>(), bn => Assert.False(bn.training));
    }

    [Fact]
    public void NormalizeAndFrameFeatures()
    {
        using var model = Small().WithNormalization(Normalization.MinusOneToOne).Build();
        using var scope = NewDisposeScope();
        var ones = full(new long[] { 1, 1, 3, 32, 32 }, 1f);
        Assert.Equal(1.0, model.Normalize(ones).mean().ToDouble(), 6); // (1 - 0.5) / 0.5
        var features = model.ExtractFrameFeatures(ModelTestSupport.Randn(1, 2, 3, 3, 32, 32));
        Assert.Equal(new long[] { 2, 3, model.Backbone.FeatureWidth }, features.shape);
        Assert.Equal(Normalization.MinusOneToOne, Small().ToOptions().Normalization); // the small CNN's default
    }

    [Fact]
    public void AffWildNetPresetReproducesThePaperSetting()
    {
        var options = EmotionModelPresets.AffWildNet().ToOptions();
        Assert.Equal(96, options.FrameSize);
        Assert.Equal(80, options.SequenceLength);
        Assert.Equal(BackboneNames.Vgg16, options.Backbone.Name);
        Assert.Equal(4096, options.Backbone.FullyConnectedWidth);
        Assert.Equal(HeadSpec.Gru(hidden: 128, layers: 2), options.Head);
        Assert.Equal(Normalization.MinusOneToOne, options.Normalization);

        using var model = EmotionModelPresets.AffWildNet().ForTask(EmotionTask.ValenceArousal).Build();
        Assert.Equal(4096, model.Backbone.FeatureWidth);
        // fc: 512 x 3 x 3 (96 / 32 = 3) inputs to 4096 outputs.
        Assert.Equal(new long[] { 4096, 4608 }, model.state_dict()["backbone.fc.0.weight"].shape);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var output = model.call(ModelTestSupport.Randn(4, 1, 2, 3, 96, 96));
        Assert.Equal(new long[] { 1, 2, 2 }, output.ValenceArousal!.shape);
    }

    [Fact]
    public void CustomBackboneFromARegistryIsSavedAndLoadedByName()
    {
        var registry = new BackboneRegistry().Register("mine", (spec, ctx) => new SmallCnnBackbone(ctx.InputSize, 0.25));
        using var temp = new TempFolder("emotion-torch-");
        var dir = temp.Path;
        using (var model = Small().WithBackbone("mine").WithRegistry(registry).Build())
        {
            Assert.Equal(32, model.Backbone.FeatureWidth);
            model.Save(dir);
        }
        Assert.Contains("Unknown backbone 'mine'", Assert.Throws<ArgumentException>(() => EmotionModel.Load(dir)).Message);
        using var loaded = EmotionModel.Load(dir, registry: registry);
        Assert.Equal("mine", loaded.Options.Backbone.Name);
    }
}
