using Emotion.Onnx.Export.Quantization;

namespace Emotion.Onnx.Tests.Quantization;

/// <summary>The scale / zero-point formulas and the histogram calibrations against hand-computed values.</summary>
public sealed class QuantizationMathTests
{
    [Fact]
    public void PerChannelWeightsUseMaxAbsOver127AndZeroPoint0()
    {
        // Two output channels of a 1x1 conv over 3 inputs. Channel 0: max|w| = 1.0, scale 1/127, q = w * 127:
        // 0.6 -> 76.2 -> 76, -1.0 -> -127, 0.25 -> 31.75 -> 32. Channel 1: max|w| = 0.4, scale 0.4/127,
        // q = w / 0.4 * 127: 0.3 -> 95.25 -> 95, 0.1 -> 31.75 -> 32, -0.4 -> -127.
        var q = WeightQuantization.PerChannel([0.6f, -1.0f, 0.25f, 0.3f, 0.1f, -0.4f], [2, 3, 1, 1], axis: 0);
        Assert.Equal(new sbyte[] { 76, -127, 32, 95, 32, -127 }, q.Values);
        Assert.Equal(1f / 127, q.Scales[0], 1e-7f);
        Assert.Equal(0.4f / 127, q.Scales[1], 1e-7f);
    }

    [Fact]
    public void PerChannelWeightsAlongAxis1ForMatmul()
    {
        // MatMul B [K=2, N=2]: columns are the channels. Column 0 = [2, -0.5] (scale 2/127), column 1 = [0.1, 0.05] (0.1/127).
        var q = WeightQuantization.PerChannel([2f, 0.1f, -0.5f, 0.05f], [2, 2], axis: 1);
        Assert.Equal(2f / 127, q.Scales[0], 1e-7f);
        Assert.Equal(0.1f / 127, q.Scales[1], 1e-8f);
        // -0.5 / (2/127) = -31.75 -> -32; 0.05 / (0.1/127) = 63.5 is a tie in exact arithmetic: accept either neighbour.
        Assert.Equal(new sbyte[] { 127, 127, -32 }, new[] { q.Values[0], q.Values[1], q.Values[2] });
        Assert.InRange(q.Values[3], (sbyte)63, (sbyte)64);
        var zeros = WeightQuantization.PerChannel([0f, 0f], [2, 1], axis: 0);
        Assert.Equal([1f, 1f], zeros.Scales);
        Assert.Equal(new sbyte[] { 0, 0 }, zeros.Values);
    }

    [Fact]
    public void BiasIsInt32InUnitsOfInputScaleTimesWeightScale()
    {
        // 0.3 / (0.02 * 0.01) = 1500; -0.0123 / (0.02 * 0.5) = -1.23 -> -1.
        var (values, scales) = WeightQuantization.Bias([0.3f, -0.0123f], 0.02f, [0.01f, 0.5f]);
        Assert.Equal([1500, -1], values);
        Assert.Equal(0.0002f, scales[0], 1e-9f);
        Assert.Equal(0.01f, scales[1], 1e-9f);
    }

    [Fact]
    public void ActivationParametersFromMinMaxMatchHandComputedValues()
    {
        // uint8, [-1, 3]: scale 4/255, zero point round(0 - (-1) / (4/255)) = round(63.75) = 64.
        var u = QuantizationParameters.FromRange(-1, 3, QuantizedActivationType.UInt8);
        Assert.Equal(4f / 255, u.Scale, 1e-7f);
        Assert.Equal(64, u.ZeroPoint);
        // int8, same range: zero point round(-128 + 63.75) = -64.
        var s = QuantizationParameters.FromRange(-1, 3, QuantizedActivationType.Int8);
        Assert.Equal(4f / 255, s.Scale, 1e-7f);
        Assert.Equal(-64, s.ZeroPoint);
        // After a ReLU, [0, 6]: zero point at the bottom, so QuantizeLinear's saturation is the ReLU.
        var relu = QuantizationParameters.FromRange(0, 6, QuantizedActivationType.UInt8);
        Assert.Equal((6f / 255, 0), (relu.Scale, relu.ZeroPoint));
        Assert.Equal(0, relu.Quantize(-2.5f, 0, 255));
        Assert.Equal(0f, relu.Dequantize(relu.Quantize(-2.5f, 0, 255)));
        // A range that excludes 0 is widened to include it: [2, 5] -> [0, 5].
        Assert.Equal((5f / 255, 0), (QuantizationParameters.FromRange(2, 5, QuantizedActivationType.UInt8).Scale, QuantizationParameters.FromRange(2, 5, QuantizedActivationType.UInt8).ZeroPoint));
        // A constant-zero tensor: scale 1, zero point 0.
        Assert.Equal(new QuantizationParameters(1f, 0), QuantizationParameters.FromRange(0, 0, QuantizedActivationType.UInt8));
        // Zero is exact, whatever the range.
        Assert.Equal(0f, u.Dequantize(u.Quantize(0f, 0, 255)));
        Assert.Throws<ArgumentException>(() => QuantizationParameters.FromRange(1, -1, QuantizedActivationType.UInt8));
        Assert.Throws<ArgumentException>(() => QuantizationParameters.FromRange(double.NaN, 1, QuantizedActivationType.UInt8));
    }

    [Fact]
    public void PercentileRangeMatchesTheSortedValuesWithinOneBin()
    {
        // 0, 1, ..., 9999: the 1st and 99th percentiles are 100 and 9900 (give or take one value).
        var values = Enumerable.Range(0, 10000).Select(i => (float)i).ToArray();
        var h = ActivationHistogram.Signed(0, 9999, 2048);
        h.Add(values);
        var (min, max) = h.PercentileRange(99);
        Assert.InRange(min, 100 - h.BinWidth - 1, 100 + 1);
        Assert.InRange(max, 9900 - 1, 9900 + h.BinWidth + 1);
        // 100 % is the whole range.
        Assert.Equal((0d, 9999d), h.PercentileRange(100));
    }

    [Fact]
    public void EntropyThresholdClipsRareOutliersThatMinMaxKeeps()
    {
        // 100,000 standard normal values and 20 outliers at 40: min-max would use 40; KL calibration clips the outliers
        // and keeps the bulk of the Gaussian (published thresholds for such data are 3 to 5 sigma).
        var random = new Random(3);
        var values = new float[100_020];
        for (int i = 0; i < 100_000; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        for (int i = 100_000; i < values.Length; i++) values[i] = 40f;
        var h = ActivationHistogram.Absolute(40, 2048);
        h.Add(values);
        double threshold = h.EntropyThreshold(128);
        Assert.InRange(threshold, 2.5, 8);
        // Non-negative data (a ReLU output) with 256 levels: again far below the outliers.
        var relu = ActivationHistogram.Absolute(40, 2048);
        relu.Add(values.Select(v => Math.Max(v, 0f)).ToArray());
        Assert.InRange(relu.EntropyThreshold(256), 2.5, 8);
    }

    [Fact]
    public void OptionsAreValidatedNamingTheValue()
    {
        Assert.Contains("Percentile", Assert.Throws<ArgumentOutOfRangeException>(() => (QuantizationOptions.Default with { Percentile = 50 }).Validate()).Message);
        Assert.Contains("MaxCalibrationFrames", Assert.Throws<ArgumentOutOfRangeException>(() => (QuantizationOptions.Default with { MaxCalibrationFrames = 0 }).Validate()).Message);
        Assert.Contains("WeightedOperators", Assert.Throws<ArgumentOutOfRangeException>(
            () => (QuantizationOptions.Default with { WeightedOperators = new HashSet<string> { "GRU" } }).Validate()).Message);
        Assert.Equal("percentile(99.99)", (QuantizationOptions.Default with { Percentile = 99.99 }).MethodName);
    }
}
