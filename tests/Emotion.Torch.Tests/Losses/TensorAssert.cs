using static TorchSharp.torch;

namespace Emotion.Torch.Tests.Losses;

/// <summary>Element-wise comparisons of tensors with expected values.</summary>
internal static class TensorAssert
{
    public static void Close(ReadOnlySpan<float> expected, Tensor actual, double tolerance, string what)
    {
        var values = actual.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            double diff = Math.Abs(values[i] - expected[i]);
            Assert.True(diff <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {values[i]:R} (|diff| {diff:G3} > {tolerance:G3}).");
        }
    }

    public static void Close(double expected, Tensor actual, double tolerance, string what) =>
        Close([(float)expected], actual.reshape(1), tolerance, what);
}
