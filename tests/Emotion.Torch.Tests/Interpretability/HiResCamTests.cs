using Emotion.Torch.Interpretability;
using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Interpretability;

/// <summary>HiResCAM's raw map, <c>ReLU(sum_k g_k ⊙ a_k)</c>, against values computed by hand, and its name lookup.</summary>
public class HiResCamTests
{
    // Two frames, two channels, 2 x 2. Frame 1's gradients are frame 0's negated.
    private static readonly float[] Activations = [1f, 2f, 3f, 4f, 0.5f, -1f, 2f, 0f];
    private static readonly float[] Gradients = [0.5f, -1f, 0.25f, 0.5f, 2f, 1f, 1f, 3f];

    [Fact]
    public void ComputeIsTheReluOfTheElementwiseProductSummedOverChannels()
    {
        using var a = tensor(Activations.Concat(Activations).ToArray()).view(2, 2, 2, 2);
        using var g = tensor(Gradients.Concat(Gradients.Select(v => -v)).ToArray()).view(2, 2, 2, 2);
        using var map = HiResCam.Instance.Compute(a, g);

        // Frame 0: (0,0) 0.5*1 + 2*0.5 = 1.5; (0,1) -1*2 + 1*(-1) = -3 -> 0; (1,0) 0.25*3 + 1*2 = 2.75; (1,1) 0.5*4 + 3*0 = 2.
        // Frame 1 (gradients negated): -1.5 -> 0; 3; -2.75 -> 0; -2 -> 0.
        float[] expected = [1.5f, 0f, 2.75f, 2f, 0f, 3f, 0f, 0f];
        Assert.Equal([2L, 2L, 2L], map.shape);
        var actual = map.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6f);
    }

    [Fact]
    public void DiffersFromGradCamWhichAveragesTheGradientPerChannelFirst()
    {
        using var a = tensor(Activations).view(1, 2, 2, 2);
        using var g = tensor(Gradients).view(1, 2, 2, 2);
        using var gradCam = GradCam.Instance.Compute(a, g);
        // Grad-CAM: alpha_0 = mean(0.5, -1, 0.25, 0.5) = 0.0625, alpha_1 = mean(2, 1, 1, 3) = 1.75;
        // map = ReLU(0.0625 a_0 + 1.75 a_1) = (0.0625 + 0.875, 0.125 - 1.75 -> 0, 0.1875 + 3.5, 0.25) = (0.9375, 0, 3.6875, 0.25).
        float[] expected = [0.9375f, 0f, 3.6875f, 0.25f];
        var actual = gradCam.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6f);
    }

    [Theory]
    [InlineData("hirescam")]
    [InlineData("HiResCAM")]
    [InlineData(" hirescam ")]
    public void ParseFindsHiResCam(string name)
    {
        Assert.Same(HiResCam.Instance, ExplanationMethods.Parse(name));
        Assert.Equal("hirescam", ExplanationMethods.HiResCam.Name);
        Assert.Contains(ExplanationMethods.HiResCam, ExplanationMethods.All);
        Assert.Equal(ExplanationSource.Layer, ExplanationMethods.HiResCam.Source);
    }
}
