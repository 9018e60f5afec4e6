using Emotion.Torch.Backbones;
using Emotion.Torch.Tests.Models;
using Emotion.Torch.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Backbones;

/// <summary>
/// <see cref="TorchNativeSettings.SafeBackward"/>: oneDNN on for forward passes, off for backward passes where the self-check found
/// its backward kernels wrong (libtorch 2.10 on AVX2/AVX-512 CPUs). In the serial collection: the flag is process-wide, and these
/// tests read it outside scopes.
/// </summary>
[Collection(SerialCollection.Name)]
public class SafeBackwardTests
{
    [Fact]
    public void ScopesNestAndSwitchOneDnnBackOnWhenTheLastCloses()
    {
        var check = TorchNativeSettings.ConvolutionCheck;
        Assert.NotNull(check);
        bool? before = TorchNativeSettings.OneDnnEnabled;
        if (!TorchNativeSettings.OneDnnOffForBackward)
        {
            // oneDNN right here (on everywhere) or wrong in forward too (off everywhere): a scope changes nothing.
            Assert.False(check!.OneDnnOffForBackward);
            using (TorchNativeSettings.SafeBackward()) Assert.Equal(before, TorchNativeSettings.OneDnnEnabled);
            return;
        }
        Assert.True(check!.OneDnnOffForBackward);
        Assert.True(before);
        var outer = TorchNativeSettings.SafeBackward();
        Assert.False(TorchNativeSettings.OneDnnEnabled);
        var inner = TorchNativeSettings.SafeBackward();
        outer.Dispose();
        outer.Dispose(); // a second dispose must not close the inner scope
        Assert.False(TorchNativeSettings.OneDnnEnabled);
        inner.Dispose();
        Assert.True(TorchNativeSettings.OneDnnEnabled);
    }

    [Fact]
    public void OneDnnForForwardFalseKeepsOneDnnOffEverywhere()
    {
        TorchNativeSettings.Apply();
        bool offForBackward = TorchNativeSettings.OneDnnOffForBackward;
        bool? before = TorchNativeSettings.OneDnnEnabled;
        try
        {
            TorchNativeSettings.OneDnnForForward = false;
            Assert.False(TorchNativeSettings.OneDnnForForward);
            // Where oneDNN is off for backward passes, forward passes lose it too; elsewhere nothing changes.
            Assert.Equal(offForBackward ? false : before, TorchNativeSettings.OneDnnEnabled);
            using (TorchNativeSettings.SafeBackward()) Assert.Equal(offForBackward ? false : before, TorchNativeSettings.OneDnnEnabled);
            Assert.Equal(offForBackward ? false : before, TorchNativeSettings.OneDnnEnabled);
        }
        finally
        {
            TorchNativeSettings.OneDnnForForward = true;
        }
        Assert.Equal(before, TorchNativeSettings.OneDnnEnabled);
    }

    [Fact]
    public void ConcurrentScopesKeepOneDnnOffWhileAnyIsOpen()
    {
        TorchNativeSettings.Apply();
        // Where oneDNN is off for backward passes, it must be off inside every scope while the other thread opens and closes its
        // own; elsewhere the scopes must leave the flag as it was.
        bool offForBackward = TorchNativeSettings.OneDnnOffForBackward;
        bool? outside = TorchNativeSettings.OneDnnEnabled;
        bool? expectedInside = offForBackward ? false : outside;
        int wrong = 0;
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 300; i++)
                using (TorchNativeSettings.SafeBackward())
                    if (TorchNativeSettings.OneDnnEnabled != expectedInside) Interlocked.Increment(ref wrong);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(0, wrong);
        Assert.Equal(outside, TorchNativeSettings.OneDnnEnabled);
        if (offForBackward) Assert.True(outside);
    }

    // Whole backbones with the library's defaults: forward with the kernels left on for it (oneDNN's here), backward in a
    // SafeBackward scope. The input gradient and every parameter gradient against float64 (eval mode: batch norm is affine).
    [Theory]
    [InlineData("small_cnn", 32)]
    [InlineData("resnet18", 32)]
    [InlineData("mobilenet_v2", 32)]
    [InlineData("mini_xception", 48)]
    public void BackboneGradientsMatchFloat64(string name, int size)
    {
        TorchNativeSettings.Apply();
        var spec = BackboneSpec.Named(name);
        var context = new BackboneBuildContext(size);
        manual_seed(7);
        using var m32 = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
        manual_seed(7);
        using var m64 = BackboneRegistry.Default.Create(spec, context, loadPretrained: false);
        m64.to(ScalarType.Float64);
        m32.eval();
        m64.eval();
        using var scope = NewDisposeScope();
        var x = ModelTestSupport.Randn(21, 4, 3, size, size);
        var g = ModelTestSupport.Randn(22, 4, m32.FeatureWidth);
        var (y32, grads32) = Gradients(m32, x, g);
        var (y64, grads64) = Gradients(m64, x.to_type(ScalarType.Float64), g.to_type(ScalarType.Float64));
        Assert.InRange(RelativeError(y32, y64), 0, 1e-5);
        Assert.Equal(grads64.Keys.Order(), grads32.Keys.Order());
        foreach (var (key, reference) in grads64)
        {
            double error = RelativeError(grads32[key], reference);
            Assert.True(error <= 1e-4, $"{name}: gradient of {key} off by {error:E2} of its largest value");
        }
    }

    private static (Tensor Output, Dictionary<string, Tensor> Gradients) Gradients(nn.Module<Tensor, Tensor> model, Tensor x, Tensor g)
    {
        model.zero_grad();
        var input = x.detach().clone().requires_grad_(true);
        var y = model.call(input);
        using (TorchNativeSettings.SafeBackward()) (y * g).sum().backward();
        var result = new Dictionary<string, Tensor> { ["input"] = input.grad!.to_type(ScalarType.Float64) };
        foreach (var (n, p) in model.named_parameters())
            if (p.grad is { } grad) result[n] = grad.to_type(ScalarType.Float64);
        return (y.detach().to_type(ScalarType.Float64), result);
    }

    private static double RelativeError(Tensor a, Tensor b)
    {
        double scale = b.abs().max().ToDouble();
        double err = (a - b).abs().max().ToDouble();
        return scale == 0 ? err : err / scale;
    }
}
