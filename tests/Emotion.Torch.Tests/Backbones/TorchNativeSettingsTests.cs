using Emotion.Torch.Backbones;
using Emotion.Torch.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Backbones;

public class TorchNativeSettingsTests
{
    [Fact]
    public void BuildingABackboneDisablesNnpackSoNoUnsupportedHardwareLineIsPrinted()
    {
        using var backbone = new SmallCnnBackbone(32);
        using var output = backbone.call(zeros(2, 3, 32, 32));
        Assert.Equal(2, output.shape[0]);
        if (OperatingSystem.IsLinux()) Assert.False(TorchNativeSettings.NnpackEnabled);
        Assert.True(TorchNativeSettings.Apply() || !OperatingSystem.IsLinux());
    }

    [Fact]
    public void ConvolutionSelfCheckRanAndLeftCorrectGradients()
    {
        using var backbone = new SmallCnnBackbone(32);
        var check = TorchNativeSettings.ConvolutionCheck;
        Assert.True(check is not null, "the convolution self-check did not run (EMOTION_CONV_SELF_CHECK=0 is set?)");
        Assert.True(check!.Correct, check.ToString());
        Assert.InRange(check.Repetitions, 1, ConvolutionSelfCheck.MaxRepetitions);
        // When the default kernels were wrong, oneDNN must now be off for backward passes (forward right) or everywhere, and the
        // results after that at float32 rounding level.
        if (!check.DefaultKernelsCorrect)
        {
            Assert.True(check.OneDnnDisabled ^ check.OneDnnOffForBackward, check.ToString());
            Assert.InRange(check.FallbackError!.Value, 0, 1e-5);
            if (check.OneDnnOffForBackward)
            {
                Assert.InRange(check.ForwardError, 0, 1e-5);
                // Off for backward only, unless a 16-bit check that failed earlier in this process (MixedPrecisionTests) or
                // OneDnnForForward = false has switched oneDNN off everywhere since.
                Assert.True(TorchNativeSettings.OneDnnOffForBackward || TorchNativeSettings.OneDnnEnabled == false || !OperatingSystem.IsLinux());
                using (TorchNativeSettings.SafeBackward())
                    if (OperatingSystem.IsLinux()) Assert.False(TorchNativeSettings.OneDnnEnabled);
            }
            else if (OperatingSystem.IsLinux()) Assert.False(TorchNativeSettings.OneDnnEnabled);
        }
        else Assert.InRange(Math.Max(check.DefaultError, check.ForwardError), 0, 1e-5);
    }

    [Fact]
    public void ConvolutionSelfCheckVerdicts()
    {
        var right = new ConvolutionSelfCheck(2.4e-7, ConvolutionSelfCheck.MaxRepetitions, false, null);
        Assert.True(right.DefaultKernelsCorrect && right.Correct);
        Assert.Contains("oneDNN left on", right.ToString());

        var fixedByFallback = new ConvolutionSelfCheck(0.91, 1, true, 2.4e-7) { ForwardError = 0.5 };
        Assert.False(fixedByFallback.DefaultKernelsCorrect);
        Assert.True(fixedByFallback.Correct);
        Assert.Contains("forward and backward are wrong on this CPU (gradient error 9.1E-1, forward error 5.0E-1); oneDNN switched off, ATen's kernels give 2.4E-7",
            fixedByFallback.ToString());

        var backwardOnly = new ConvolutionSelfCheck(0.91, 12, false, 3e-7) { ForwardError = 2e-7, OneDnnOffForBackward = true };
        Assert.False(backwardOnly.DefaultKernelsCorrect);
        Assert.True(backwardOnly.Correct);
        Assert.Contains("float32 convolution backward is wrong on this CPU (gradient error 9.1E-1, forward error 2.0E-7); oneDNN stays on for forward passes " +
                        "and is switched off for backward passes (TorchNativeSettings.SafeBackward), which then give 3.0E-7", backwardOnly.ToString());

        // A wrong forward output alone is wrong kernels too.
        var forwardWrong = new ConvolutionSelfCheck(1e-7, 12, false, null) { ForwardError = 0.3 };
        Assert.False(forwardWrong.DefaultKernelsCorrect || forwardWrong.Correct);
        Assert.Contains("convolution forward is wrong", forwardWrong.ToString());

        var nan = new ConvolutionSelfCheck(double.PositiveInfinity, 1, false, null); // NaN gradients count as infinitely wrong
        Assert.False(nan.Correct);
        Assert.Contains("set ONEDNN_MAX_CPU_ISA=SSE41 before the process starts", nan.ToString());
        Assert.False(new ConvolutionSelfCheck(0.5, 1, true, 0.5).Correct);
    }

    // Shapes measured wrong with libtorch 2.10's default oneDNN kernels on an AVX-512 CPU (tests/conv-check, docs/troubleshooting.md):
    // stride-1 3x3 convolutions whose output channel count is not a multiple of 8/16, among them the Grad-CAM test network's conv1.
    [Theory]
    [InlineData(6, 3, 4, 12)]
    [InlineData(6, 16, 12, 12)]
    [InlineData(2, 16, 20, 12)]
    [InlineData(6, 64, 100, 12)]
    public void AfterTheSelfCheckConvolutionGradientsMatchFloat64(int n, int cin, int cout, int size)
    {
        TorchNativeSettings.Apply();
        using var scope = NewDisposeScope();
        var x = ModelTestSupport.Randn(5, n, cin, size, size);
        var w = ModelTestSupport.Randn(6, cout, cin, 3, 3) * Math.Sqrt(2.0 / (cin * 9));
        var g = ModelTestSupport.Randn(7, n, cout, size, size);
        var (dx64, dw64) = Gradients(x, w, g, ScalarType.Float64, stride: 1, padding: 1);
        for (int rep = 0; rep < 5; rep++)
        {
            var (dx, dw) = Gradients(x, w, g, ScalarType.Float32, stride: 1, padding: 1);
            Assert.InRange(RelativeError(dx, dx64), 0, 1e-5);
            Assert.InRange(RelativeError(dw, dw64), 0, 1e-5);
        }
    }

    // The forward pass with the kernels the self-check left on for it (oneDNN's on this project's AVX-512 machine): the shapes of the
    // backbones (3x3, 7x7 stem, 1x1 stride 2, depthwise stride 1 and 2) and the odd channel counts whose oneDNN gradients are wrong.
    [Theory]
    [InlineData(6, 3, 4, 12, 3, 1, 1)]
    [InlineData(2, 8, 12, 10, 3, 1, 1)]
    [InlineData(6, 3, 64, 56, 7, 2, 1)]
    [InlineData(6, 64, 128, 14, 1, 2, 1)]
    [InlineData(6, 96, 96, 28, 3, 2, 96)]
    [InlineData(6, 144, 144, 14, 3, 1, 144)]
    [InlineData(6, 128, 128, 7, 3, 1, 1)]
    public void ForwardConvolutionsMatchFloat64(int n, int cin, int cout, int size, int k, int stride, int groups)
    {
        TorchNativeSettings.Apply();
        using var scope = NewDisposeScope();
        var x = ModelTestSupport.Randn(11, n, cin, size, size);
        var w = ModelTestSupport.Randn(12, cout, cin / groups, k, k) * Math.Sqrt(2.0 * groups / (cin * k * k));
        var b = ModelTestSupport.Randn(13, cout) * 0.1;
        Tensor Y(ScalarType type) => nn.functional.conv2d(x.to_type(type), w.to_type(type), b.to_type(type), strides: [stride, stride],
            padding: [k / 2, k / 2], groups: groups).to_type(ScalarType.Float64);
        var y64 = Y(ScalarType.Float64);
        for (int rep = 0; rep < 3; rep++)
            Assert.InRange(RelativeError(Y(ScalarType.Float32), y64), 0, 1e-5);
    }

    // ResNet-50's layer3 downsample at 32 px input: its backward-data primitive dies with SIGFPE under libtorch 2.10's default
    // oneDNN kernels on AVX2/AVX-512 CPUs (this test would take the test host down). See also ModelCombinationTests' ResNet-50 case.
    [Fact]
    public void AfterTheSelfCheckStridedOneByOneBackwardDoesNotCrashAndMatchesFloat64()
    {
        TorchNativeSettings.Apply();
        using var scope = NewDisposeScope();
        var x = ModelTestSupport.Randn(8, 6, 512, 4, 4);
        var w = ModelTestSupport.Randn(9, 1024, 512, 1, 1) * Math.Sqrt(2.0 / 512);
        var g = ModelTestSupport.Randn(10, 6, 1024, 2, 2);
        var (dx64, dw64) = Gradients(x, w, g, ScalarType.Float64, stride: 2, padding: 0);
        var (dx, dw) = Gradients(x, w, g, ScalarType.Float32, stride: 2, padding: 0);
        Assert.InRange(RelativeError(dx, dx64), 0, 1e-5);
        Assert.InRange(RelativeError(dw, dw64), 0, 1e-5);
    }

    private static (Tensor Dx, Tensor Dw) Gradients(Tensor x, Tensor w, Tensor g, ScalarType type, long stride, long padding)
    {
        var xt = x.to_type(type).detach().requires_grad_(true);
        var wt = w.to_type(type).detach().requires_grad_(true);
        var y = nn.functional.conv2d(xt, wt, strides: [stride, stride], padding: [padding, padding]);
        using (TorchNativeSettings.SafeBackward()) (y * g.to_type(type)).sum().backward();
        return (xt.grad!.to_type(ScalarType.Float64), wt.grad!.to_type(ScalarType.Float64));
    }

    /// <summary>max |a - b| / max |b|; NaN in <paramref name="a"/> gives NaN (which fails any range check).</summary>
    private static double RelativeError(Tensor a, Tensor b) => (a - b).abs().max().ToDouble() / b.abs().max().ToDouble();
}
