using Emotion.Torch.Interpretability;
using TorchSharp;
using static TorchSharp.torch;
namespace Emotion.Torch.Tests.Interpretability;
public class DebugTmpTests
{
    [Fact]
    public void Debug()
    {
        using var model = TinyCamModel.Create();
        model.eval();
        using var input = TinyCamModel.Input();
        var x = input.clone().requires_grad_(true);
        var o = model.forward(x);
        var g = autograd.grad([o.Logits!.select(-1, 1).select(1, 0).sum()], [x])[0];
        Console.WriteLine("manual t0 " + g[0, 0, TensorIndex.Colon, 0, 0].abs().max().ToSingle());
        var g2 = autograd.grad([o.Logits!.select(-1, 1).sum()], [x])[0];
        Console.WriteLine("manual all " + g2[0, 0, TensorIndex.Colon, 0, 0].abs().max().ToSingle());
        var r = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Saliency, Normalize = false }).Explain(input, new CategoryTarget(1));
        Console.WriteLine("explainer " + r.Map(0, 0)[0]);
        var r2 = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Saliency, Normalize = false, SequenceMode = SequenceTargetMode.AllFrames }).Explain(input, new CategoryTarget(1));
        Console.WriteLine("explainer all " + r2.Map(0, 0)[0]);
        var ex = new EmotionExplainer(model);
        for (int i = 0; i < 3; i++) ex.Explain(input, new CategoryTarget(4));
        GC.Collect(); GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 10; i++) ex.Explain(input, new CategoryTarget(4));
        GC.Collect(); GC.WaitForPendingFinalizers();
        Console.WriteLine("explainer leak gradcam per 10 " + (Tensor.TotalCount - before));
        var sal = new EmotionExplainer(model, new ExplanationOptions { Method = ExplanationMethods.Saliency });
        before = Tensor.TotalCount;
        for (int i = 0; i < 10; i++) sal.Explain(input, new CategoryTarget(4));
        GC.Collect(); GC.WaitForPendingFinalizers();
        Console.WriteLine("explainer leak saliency per 10 " + (Tensor.TotalCount - before));
    }
}
