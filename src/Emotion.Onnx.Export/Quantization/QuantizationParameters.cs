namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// The affine map of one 8-bit quantized tensor, as ONNX's <c>QuantizeLinear</c> / <c>DequantizeLinear</c> define it:
/// <c>q = saturate(round(x / Scale) + ZeroPoint)</c> (round half to even) and <c>x' = (q - ZeroPoint) * Scale</c>.
/// </summary>
/// <param name="Scale">The step between two quantized values (positive).</param>
/// <param name="ZeroPoint">The quantized value that represents 0.0 exactly.</param>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint)
{
    /// <summary>The smallest and largest value of an 8-bit activation type: [0, 255] for uint8, [-128, 127] for int8.</summary>
    public static (int Min, int Max) Limits(QuantizedActivationType type) => type == QuantizedActivationType.Int8 ? (-128, 127) : (0, 255);

    /// <summary>The symmetric int8 weight range [-127, 127] (-128 is left out so that the range is symmetric about 0).</summary>
    public const int WeightLimit = 127;

    /// <summary>The smallest normal float32 (a smaller scale would lose precision or divide by zero).</summary>
    private const float SmallestNormalFloat = 1.17549435e-38f;

    /// <summary>
    /// Asymmetric activation parameters for the real range [<paramref name="min"/>, <paramref name="max"/>], first widened to
    /// include 0 (so that zero padding and ReLU's zeros are exact): <c>scale = (rmax - rmin) / (qmax - qmin)</c>,
    /// <c>zero_point = clamp(round(qmin - rmin / scale), qmin, qmax)</c>. A range of zero width gives scale 1, zero point 0
    /// as ONNX Runtime's quantization tool does.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not finite or min &gt; max.</exception>
    public static QuantizationParameters FromRange(double min, double max, QuantizedActivationType type)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
            throw new ArgumentException($"Cannot quantize the range [{min}, {max}]: expected finite bounds with min <= max.");
        var (qmin, qmax) = Limits(type);
        double rmin = Math.Min(min, 0), rmax = Math.Max(max, 0);
        float scale = (float)((rmax - rmin) / (qmax - qmin));
        if (!(scale >= SmallestNormalFloat) || !float.IsFinite(scale))
            return new QuantizationParameters(1f, 0);
        double zero = Math.Round(qmin - rmin / scale, MidpointRounding.ToEven);
        return new QuantizationParameters(scale, (int)Math.Clamp(zero, qmin, qmax));
    }

    /// <summary>Quantizes one value as <c>QuantizeLinear</c> does, saturating to [<paramref name="qmin"/>, <paramref name="qmax"/>].</summary>
    public int Quantize(float x, int qmin, int qmax)
    {
        float q = MathF.Round(x / Scale, MidpointRounding.ToEven) + ZeroPoint;
        return (int)Math.Clamp(q, qmin, qmax);
    }

    /// <summary>Dequantizes one value: <c>(q - ZeroPoint) * Scale</c>.</summary>
    public float Dequantize(int q) => (q - ZeroPoint) * Scale;
}
