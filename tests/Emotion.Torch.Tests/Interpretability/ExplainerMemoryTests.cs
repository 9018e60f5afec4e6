using Emotion.Torch.Interpretability;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>Runs alone (no other test creates tensors meanwhile), so the process-wide live tensor count is meaningful.</summary>
[CollectionDefinition(nameof(ExplainerMemoryTests), DisableParallelization = true)]
public sealed class ExplainerMemoryCollection;

[Collection(nameof(ExplainerMemoryTests))]
public class ExplainerMemoryTests
{
    [Fact]
    public void ThousandCallsLeaveLiveTensorsAndParameterGradientsUntouched()
    {
        using var model = TinyCamModel.Create();
        using var input = TinyCamModel.Input();
        model.train();
        var explainer = new EmotionExplainer(model);
        // Saliency on the 1x1-convolution model: TinyCam's 3x3 convolution input gradients are unreliable on this libtorch (see GradCamReferenceTests).
        using var regionModel = RegionModel.Create();
        using var regionInput = RegionModel.Input(seed: 1);
        var saliency = new EmotionExplainer(regionModel, new ExplanationOptions { Method = ExplanationMethods.Saliency, SequenceMode = SequenceTargetMode.AllFrames });
        var target = new CategoryTarget(4);
        for (int i = 0; i < 5; i++) { explainer.Explain(input, target); saliency.Explain(regionInput, target); }
        // Tensors other tests left to the garbage collector are finalised first, so that only this loop's tensors count.
        Settle();
        long before = Tensor.TotalCount;
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 500; i++)
        {
            explainer.Explain(input, target);
            saliency.Explain(regionInput, target);
        }
        // No settling here: every tensor must have been disposed deterministically, none left for the finaliser.
        long after = Tensor.TotalCount;
        Assert.True(before == after, $"live tensors before {before}, after 1000 calls {after}");
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - memoryBefore < 8_000_000, "managed memory grew");
        Assert.True(model.training, "the model's training mode is restored");
        Assert.All(model.parameters(), p => Assert.True(p.grad is null, "parameter gradients are not touched"));
        Assert.All(regionModel.parameters(), p => Assert.True(p.grad is null, "parameter gradients are not touched"));

        // The hook is registered during a call and removed after it (TorchSharp keeps forward hooks in a private table).
        var layer = model.Backbone.GetLayer("relu2");
        int during = -1;
        explainer.Explain(input, new FunctionTarget("probe", o => { during = PostHookCount(layer); return o.Logits!.select(-1, 4); }));
        Assert.Equal(1, during);
        Assert.Equal(0, PostHookCount(layer));

        // Tracing the layer's grid (a forward pass with a hook on every module) leaves no hook and no tensor behind.
        long beforeTracing = Tensor.TotalCount;
        for (int i = 0; i < 100; i++) _ = new EmotionExplainer(model, new ExplanationOptions { Layer = "conv2" }).LayerGrid;
        Assert.Equal(beforeTracing, Tensor.TotalCount);
        Assert.All(model.Backbone.modules().OfType<TorchSharp.torch.nn.Module<Tensor, Tensor>>(), m => Assert.Equal(0, PostHookCount(m)));
    }

    private static int PostHookCount(TorchSharp.torch.nn.Module layer)
    {
        for (var type = layer.GetType(); type is not null; type = type.BaseType)
            if (type.GetField("post_hooks", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance) is { } field)
                return ((System.Collections.ICollection)field.GetValue(layer)!).Count;
        throw new InvalidOperationException("TorchSharp's forward-hook table (post_hooks) was not found; update this test for the TorchSharp version.");
    }

    private static void Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
