using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Models;

[Collection(ModelTestSupport.Collection)]
public sealed class ModelCombinationTests
{
    private const int Batch = 2, Time = 3, Size = 32;

    public static TheoryData<string, RecurrentKind, EmotionTask> EveryBackboneWithEveryHead()
    {
        // Every backbone meets every head kind; the task rotates so that, across the set, every head meets every task.
        var data = new TheoryData<string, RecurrentKind, EmotionTask>();
        var names = new[]
        {
            BackboneNames.ResNet18, BackboneNames.ResNet34, BackboneNames.ResNet50, BackboneNames.Vgg11, BackboneNames.Vgg11Bn,
            BackboneNames.Vgg16, BackboneNames.Vgg16Bn, BackboneNames.MobileNetV2, BackboneNames.MobileNetV3Small,
            BackboneNames.MobileNetV3Large, BackboneNames.SmallCnn,
        };
        var kinds = new[] { RecurrentKind.Gru, RecurrentKind.Lstm, RecurrentKind.None };
        var tasks = new[] { EmotionTask.Categorical, EmotionTask.ValenceArousal, EmotionTask.Combined };
        for (int b = 0; b < names.Length; b++)
            for (int k = 0; k < kinds.Length; k++)
                data.Add(names[b], kinds[k], tasks[(b + k) % 3]);
        return data;
    }

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(EveryBackboneWithEveryHead))]
    public void BuildsAndRunsForwardAndBackward(string backbone, RecurrentKind kind, EmotionTask task)
    {
        var head = kind switch
        {
            RecurrentKind.Gru => HeadSpec.Gru(hidden: 8, layers: 2, dropout: 0.1),
            RecurrentKind.Lstm => HeadSpec.Lstm(hidden: 8, bidirectional: true),
            _ => HeadSpec.NoRecurrence(),
        };
        var builder = EmotionModel.Create()
            .WithInput(frames: Time, size: Size)
            .WithBackbone(BackboneSpec.Named(backbone))
            .WithRecurrentHead(head)
            .ForTask(task);
        // ResNet-50's backward runs through its 1x1 stride-2 downsample convolutions, where libtorch 2.10's oneDNN dies with
        // SIGFPE on AVX2/AVX-512 CPUs; TorchNativeSettings' self-check switches oneDNN off there, so this must not crash.
        using var model = builder.Build();
        RunAndCheck(model, task, Time);
    }

    [Theory]
    [InlineData(RecurrentKind.Gru, EmotionTask.Categorical, SequenceOutput.PerFrame)]
    [InlineData(RecurrentKind.Gru, EmotionTask.ValenceArousal, SequenceOutput.LastStep)]
    [InlineData(RecurrentKind.Gru, EmotionTask.Combined, SequenceOutput.Mean)]
    [InlineData(RecurrentKind.Lstm, EmotionTask.Categorical, SequenceOutput.LastStep)]
    [InlineData(RecurrentKind.Lstm, EmotionTask.ValenceArousal, SequenceOutput.Mean)]
    [InlineData(RecurrentKind.Lstm, EmotionTask.Combined, SequenceOutput.PerFrame)]
    [InlineData(RecurrentKind.None, EmotionTask.Categorical, SequenceOutput.Mean)]
    [InlineData(RecurrentKind.None, EmotionTask.ValenceArousal, SequenceOutput.PerFrame)]
    [InlineData(RecurrentKind.None, EmotionTask.Combined, SequenceOutput.LastStep)]
    public void EveryHeadTaskAndOutputModeHasTheRightShapes(RecurrentKind kind, EmotionTask task, SequenceOutput output)
    {
        var head = kind switch
        {
            RecurrentKind.Gru => HeadSpec.Gru(hidden: 6, output: output),
            RecurrentKind.Lstm => HeadSpec.Lstm(hidden: 6, layers: 2, output: output),
            _ => HeadSpec.NoRecurrence(output),
        };
        using var model = EmotionModel.Create()
            .WithInput(frames: Time, size: Size)
            .WithBackbone(BackboneSpec.SmallCnn(0.5))
            .WithRecurrentHead(head)
            .ForTask(task)
            .WithOtherCategory()
            .WithOutputDropout(0.2)
            .Build();
        RunAndCheck(model, task, output == SequenceOutput.PerFrame ? Time : 1);
    }

    private static void RunAndCheck(EmotionModel model, EmotionTask task, int outputSteps)
    {
        model.train();
        using var scope = NewDisposeScope();
        var frames = ModelTestSupport.Randn(3, Batch, Time, 3, Size, Size);
        var output = model.call(frames);
        long width = model.Head.OutputWidth;
        Assert.Equal(new long[] { Batch, outputSteps, width }, output.Features.shape);
        var loss = zeros(1);
        if (task.HasCategories())
        {
            Assert.Equal(new long[] { Batch, outputSteps, model.Options.ClassCount }, output.Logits!.shape);
            loss = loss + output.Logits.square().mean();
        }
        else Assert.Null(output.Logits);
        if (task.HasValenceArousal())
        {
            Assert.Equal(new long[] { Batch, outputSteps, 2 }, output.ValenceArousal!.shape);
            Assert.True(output.ValenceArousal.abs().max().ToDouble() <= 1.0);
            loss = loss + output.ValenceArousal.square().mean();
        }
        else Assert.Null(output.ValenceArousal);
        Assert.Equal(model.Head.Spec.Kind != RecurrentKind.None, output.State is not null);
        using (TorchNativeSettings.SafeBackward()) loss.sum().backward();
        // Gradients reach both parameter groups: the first backbone layer and the output layers.
        if (model.Options.FrozenStages.IsEmpty) Assert.NotNull(model.BackboneParameters().First().grad);
        Assert.All(model.HeadParameters(), p => Assert.NotNull(p.grad));
        Assert.False(double.IsNaN(loss.sum().ToDouble()));
    }
}
