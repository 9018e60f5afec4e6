using Emotion.Torch.Interpretability;
using TorchSharp;
using static TorchSharp.torch;
namespace Emotion.Torch.Tests.Interpretability;
public class DebugTmpTests
{
    [Fact]
    public void Debug()
    {
        Console.WriteLine("threads " + torch.get_num_threads() + " env " + Environment.GetEnvironmentVariable("DBG_THREADS"));
        if (Environment.GetEnvironmentVariable("DBG_THREADS") is { } th) torch.set_num_threads(int.Parse(th));
        using var model = TinyCamModel.Create();
        model.eval();
        using var input = TinyCamModel.Input();
        var x = input.clone().view(6, 3, 12, 12).requires_grad_(true);
        var feats = model.Backbone.call(x);
        var g = autograd.grad([feats.select(1, 2).sum()], [x])[0];
        var c1 = (nn.Module<Tensor, Tensor>)model.Backbone.GetLayer("conv1");
        var c2 = (nn.Module<Tensor, Tensor>)model.Backbone.GetLayer("conv2");
        var xb = input.clone().view(6, 3, 12, 12).requires_grad_(true);
        var manual = nn.functional.relu(c2.call(nn.functional.relu(c1.call(xb)))).mean([2, 3]);
        var gm = autograd.grad([manual.select(1, 2).sum()], [xb])[0];
        Console.WriteLine("feat diff " + (feats - manual).abs().max().ToSingle() + " grad diff " + (g - gm).abs().max().ToSingle() + " scale " + gm.abs().max().ToSingle());
        var xc = input.clone().view(6, 3, 12, 12).requires_grad_(true);
        var h1 = c1.call(xc);
        var gh = autograd.grad([nn.functional.relu(c2.call(nn.functional.relu(h1))).mean([2, 3]).select(1, 2).sum()], [h1])[0];
        var xd = input.clone().view(6, 3, 12, 12).requires_grad_(true);
        var gx = autograd.grad([c1.call(xd)], [xd], [gh])[0];
        Console.WriteLine("chain diff " + (gx - gm).abs().max().ToSingle());
        Console.WriteLine(torch.__version__);
    }
}
