namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// Per-channel symmetric int8 quantization of constant weights and int32 quantization of the matching biases, the form
/// ONNX Runtime's QLinearConv / QGemm / QLinearMatMul take: for every output channel <c>c</c>,
/// <c>scale_c = max|w_c| / 127</c>, zero point 0, <c>q = clamp(round(w / scale_c), -127, 127)</c>; a bias adds in the
/// accumulator's units, <c>q_b = round(b / (scale_x * scale_c))</c> as int32.
/// </summary>
public static class WeightQuantization
{
    /// <summary>The per-channel quantized weights.</summary>
    /// <param name="Values">The int8 values, in the weight's layout.</param>
    /// <param name="Scales">One scale per channel along the axis.</param>
    public sealed record Result(sbyte[] Values, float[] Scales);

    /// <summary>Quantizes <paramref name="weights"/> of shape <paramref name="dims"/> per channel along <paramref name="axis"/>.</summary>
    /// <param name="weights">The float weights (row-major).</param>
    /// <param name="dims">Their shape.</param>
    /// <param name="axis">The channel axis (0 for Conv <c>[O, I, kh, kw]</c> and Gemm with transB; 1 for MatMul <c>[K, N]</c>).</param>
    /// <exception cref="ArgumentException">The shape does not match the data, the axis is out of range or a weight is not finite.</exception>
    public static Result PerChannel(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (axis < 0 || axis >= dims.Count) throw new ArgumentException($"Axis {axis} is out of range for a rank-{dims.Count} weight.", nameof(axis));
        long count = 1;
        foreach (long d in dims) count *= d;
        if (count != weights.Length) throw new ArgumentException($"The weight has {weights.Length} values but its shape [{string.Join(", ", dims)}] needs {count}.", nameof(dims));
        int channels = (int)dims[axis];
        long inner = 1;
        for (int i = axis + 1; i < dims.Count; i++) inner *= dims[i];
        var maxAbs = new float[channels];
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            if (!float.IsFinite(w)) throw new ArgumentException($"Weight value {i} is {w}; only finite weights can be quantized.", nameof(weights));
            int c = (int)(i / inner % channels);
            maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(w));
        }
        var scales = new float[channels];
        for (int c = 0; c < channels; c++) scales[c] = maxAbs[c] > 0 ? maxAbs[c] / QuantizationParameters.WeightLimit : 1f;
        var values = new sbyte[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            int c = (int)(i / inner % channels);
            float q = MathF.Round(weights[i] / scales[c], MidpointRounding.ToEven);
            values[i] = (sbyte)Math.Clamp(q, -QuantizationParameters.WeightLimit, QuantizationParameters.WeightLimit);
        }
        return new Result(values, scales);
    }

    /// <summary>
    /// Quantizes a bias to int32 in the accumulator's units: <c>scale_b[c] = inputScale * weightScales[c]</c>,
    /// <c>q = round(b / scale_b)</c>, saturated to the int32 range.
    /// </summary>
    /// <returns>The int32 values and their per-channel scales.</returns>
    /// <exception cref="ArgumentException">The lengths differ or a value is not finite.</exception>
    public static (int[] Values, float[] Scales) Bias(ReadOnlySpan<float> bias, float inputScale, ReadOnlySpan<float> weightScales)
    {
        if (bias.Length != weightScales.Length)
            throw new ArgumentException($"The bias has {bias.Length} values but the weight has {weightScales.Length} channels.", nameof(bias));
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            if (!float.IsFinite(bias[c])) throw new ArgumentException($"Bias value {c} is {bias[c]}; only finite biases can be quantized.", nameof(bias));
            scales[c] = inputScale * weightScales[c];
            double q = Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven);
            values[c] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
        }
        return (values, scales);
    }
}
