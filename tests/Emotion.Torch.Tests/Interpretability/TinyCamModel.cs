using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>
/// The fixed small network of Fixtures/Interpretability/make_gradcam_fixtures.py, rebuilt here with the same parameter names and
/// the same name-derived weights: conv1 (3 to 4, 3x3) - relu1 - conv2 (4 to 5, 3x3, stride 2) - relu2 - pool - flatten, a GRU of 4
/// units, 7 category logits and valence/arousal.
/// </summary>
internal static class TinyCamModel
{
    public const int Size = 12, Batch = 2, Frames = 3;

    private sealed class TinyCamBackbone : SequentialBackbone
    {
        public TinyCamBackbone() : base("tinycam")
        {
            AddStep("conv1", nn.Conv2d(3, 4, 3, padding: 1));
            AddStep("relu1", nn.ReLU());
            AddStep("conv2", nn.Conv2d(4, 5, 3, stride: 2, padding: 1));
            AddStep("relu2", nn.ReLU());
            AddStep("pool", nn.AdaptiveAvgPool2d(1));
            AddStep("flatten", nn.Flatten());
            DefineStage("features", "conv1", "conv2");
        }

        public override int FeatureWidth => 5;

        public override string DefaultTargetLayer => "relu2";

        public override Normalization DefaultNormalization => Normalization.ZeroToOne;
    }

    public static EmotionModel Create(EmotionTask task = EmotionTask.Combined, HeadSpec? head = null)
    {
        var registry = new BackboneRegistry(includeBuiltIns: false);
        registry.Register("tinycam", _ => new TinyCamBackbone());
        var model = EmotionModel.Create()
            .WithInput(frames: Frames, size: Size)
            .WithBackbone("tinycam")
            .WithRecurrentHead(head ?? HeadSpec.Gru(hidden: 4))
            .ForTask(task)
            .WithNormalization(Normalization.ZeroToOne)
            .WithRegistry(registry)
            .Build();
        FillParameters(model);
        return model;
    }

    /// <summary>Fills every parameter from its name: value j = 0.5 sin(0.9 j + offset(name)), as the Python script does.</summary>
    public static void FillParameters(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            double offset = name.Sum(c => (int)c) % 101 / 10.0;
            var values = new float[p.numel()];
            for (int j = 0; j < values.Length; j++) values[j] = (float)(0.5 * Math.Sin(0.9 * j + offset));
            using var source = tensor(values).view(p.shape);
            p.copy_(source);
        }
    }

    /// <summary>The fixed input [2, 3, 3, 12, 12]: x_i = 0.8 sin(0.37 i) + 0.2 cos(1.3 i).</summary>
    public static Tensor Input()
    {
        var values = new float[Batch * Frames * 3 * Size * Size];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(0.8 * Math.Sin(0.37 * i) + 0.2 * Math.Cos(1.3 * i));
        return tensor(values).view(Batch, Frames, 3, Size, Size);
    }
}
