using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>
/// A hand-built network whose answer is known: a positive 1x1 convolution (3 to 4 channels) and ReLU, then a fixed "gate" that keeps
/// channels 0-1 only inside region A and channels 2-3 only inside region B, average pooling, and a classifier whose anger logit reads
/// only channels 0-1 and whose happiness logit reads only channels 2-3. So anger depends on region A alone and happiness on region B
/// alone: every faithful map of anger lies in A, of happiness in B.
/// </summary>
internal static class RegionModel
{
    public const int Size = 16;

    /// <summary>Region A: rows 2-6, columns 2-7.</summary>
    public static bool InA(int y, int x) => y is >= 2 and <= 6 && x is >= 2 and <= 7;

    /// <summary>Region B: rows 9-14, columns 8-13.</summary>
    public static bool InB(int y, int x) => y is >= 9 and <= 14 && x is >= 8 and <= 13;

    private sealed class Gate : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor mask;

        public Gate() : base("gate")
        {
            var values = new float[4 * Size * Size];
            for (int c = 0; c < 4; c++)
                for (int y = 0; y < Size; y++)
                    for (int x = 0; x < Size; x++)
                        values[(c * Size + y) * Size + x] = (c < 2 ? InA(y, x) : InB(y, x)) ? 1f : 0f;
            mask = tensor(values).view(1, 4, Size, Size);
            register_buffer("mask", mask, persistent: false);
        }

        public override Tensor forward(Tensor input) => input * mask;
    }

    private sealed class RegionBackbone : SequentialBackbone
    {
        public RegionBackbone() : base("region")
        {
            var conv = nn.Conv2d(3, 4, 1, bias: false);
            using (no_grad()) conv.weight!.copy_(tensor(new float[] { 0.5f, 0.3f, 0.2f, 0.4f, 0.4f, 0.2f, 0.3f, 0.3f, 0.6f, 0.2f, 0.5f, 0.3f }).view(4, 3, 1, 1));
            AddStep("conv", conv);
            AddStep("relu", nn.ReLU());
            AddStep("gate", new Gate());
            AddStep("pool", nn.AdaptiveAvgPool2d(1));
            AddStep("flatten", nn.Flatten());
            DefineStage("features", "conv");
        }

        public override int FeatureWidth => 4;

        public override string DefaultTargetLayer => "gate";

        public override Normalization DefaultNormalization => Normalization.ZeroToOne;
    }

    /// <summary>A categorical model of sequences of two frames around a hand-built backbone, with no recurrence.</summary>
    public static EmotionModel Around(Func<Backbone> backbone, int size)
    {
        var registry = new BackboneRegistry(includeBuiltIns: false).Register("hand_built", _ => backbone());
        return EmotionModel.Create()
            .WithInput(frames: 2, size: size)
            .WithBackbone("hand_built")
            .WithRecurrentHead(HeadSpec.NoRecurrence())
            .ForTask(EmotionTask.Categorical)
            .WithNormalization(Normalization.ZeroToOne)
            .WithRegistry(registry)
            .Build();
    }

    public static EmotionModel Create()
    {
        var model = Around(() => new RegionBackbone(), Size);
        using (no_grad())
        {
            var w = new float[7 * 4];
            w[(int)EmotionCategory.Anger * 4 + 0] = 1.0f;
            w[(int)EmotionCategory.Anger * 4 + 1] = 0.7f;
            w[(int)EmotionCategory.Happiness * 4 + 2] = 0.8f;
            w[(int)EmotionCategory.Happiness * 4 + 3] = 1.2f;
            model.Classifier!.weight!.copy_(tensor(w).view(7, 4));
            model.Classifier!.bias!.zero_();
        }
        return model;
    }

    /// <summary>Uniform random positive frames [2, 2, 3, 16, 16] in [0.2, 1].</summary>
    public static Tensor Input(int seed)
    {
        var gen = new Generator((ulong)seed);
        return rand([2, 2, 3, Size, Size], generator: gen) * 0.8f + 0.2f;
    }

    /// <summary>The share of a map's total inside a region.</summary>
    public static double MassInside(ReadOnlySpan<float> map, Func<int, int, bool> region)
    {
        double inside = 0, total = 0;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double v = map[y * Size + x];
                total += v;
                if (region(y, x)) inside += v;
            }
        return total > 0 ? inside / total : 0;
    }
}
