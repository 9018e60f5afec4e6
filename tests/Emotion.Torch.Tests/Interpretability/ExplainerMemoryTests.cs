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
        var saliency = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Saliency, SequenceMode = SequenceTargetMode.AllFrames });
        var target = new CategoryTarget(4);
        for (int i = 0; i < 5; i++) { explainer.Explain(input, target); saliency.Explain(input, target); }
        // Tensors other tests left to the garbage collector are finalised first, so that only this loop's tensors count.
        Settle();
        long before = Tensor.TotalCount;
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 500; i++)
        {
            explainer.Explain(input, target);
            saliency.Explain(input, target);
        }
        Settle();
        Assert.True(before == Tensor.TotalCount, $"live tensors before {before}, after 1000 calls {Tensor.TotalCount}");
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - memoryBefore < 8_000_000, "managed memory grew");
        Assert.True(model.training, "the model's training mode is restored");
        Assert.All(model.parameters(), p => Assert.True(p.grad is null, "parameter gradients are not touched"));
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
