namespace Emotion.Onnx.Export.Quantization;

/// <summary>How <see cref="OnnxQuantizer"/> quantizes a model. Immutable; change it with <c>with</c>.</summary>
public sealed record QuantizationOptions
{
    /// <summary>The default options: percentile (99.999) calibration on up to 256 frames, uint8 activations, head in fp32.</summary>
    public static QuantizationOptions Default { get; } = new();

    /// <summary>How activation ranges are calibrated (default <see cref="CalibrationMethod.Percentile"/>).</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.Percentile;

    /// <summary>
    /// For <see cref="CalibrationMethod.Percentile"/>: the share of values, in percent, that must lie inside the range on
    /// each side (default 99.999: the top and bottom 0.001 % saturate). Between 90 and 100 (100 = min-max on the histogram).
    /// </summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>The most calibration frames used (default 256); the calibration data is sampled evenly down to this many.</summary>
    public int MaxCalibrationFrames { get; init; } = 256;

    /// <summary>Bins of the activation histograms of <see cref="CalibrationMethod.Percentile"/> and <see cref="CalibrationMethod.Entropy"/> (default 2048).</summary>
    public int HistogramBins { get; init; } = 2048;

    /// <summary>The type of quantized activations (default <see cref="QuantizedActivationType.UInt8"/>: U8S8 with the int8 weights).</summary>
    public QuantizedActivationType Activations { get; init; } = QuantizedActivationType.UInt8;

    /// <summary>
    /// The operator types whose constant weights become per-channel int8 (default <c>Conv</c>, <c>Gemm</c>, <c>MatMul</c>).
    /// Remove one to keep every node of that type in fp32.
    /// </summary>
    public IReadOnlySet<string> WeightedOperators { get; init; } = System.Collections.Frozen.FrozenSet.ToFrozenSet(["Conv", "Gemm", "MatMul"], StringComparer.Ordinal);

    /// <summary>
    /// Whether the layers after the per-frame backbone (the output layers: classifier, regressor, circumplex MatMul) are
    /// quantized too (default false: they stay fp32; they are a few thousand multiply-adds per frame next to the
    /// backbone's hundreds of millions). Recurrent operators (GRU, LSTM, RNN) always stay fp32: ONNX Runtime has no
    /// static int8 kernel for them.
    /// </summary>
    public bool QuantizeHead { get; init; }

    /// <summary>Nodes kept in fp32, by node name or by the name of one of their outputs (default none).</summary>
    public IReadOnlyList<string> Fp32Nodes { get; init; } = [];

    /// <summary>ONNX Runtime's intra-op threads for the calibration runs (0, the default: ONNX Runtime's choice, all cores).</summary>
    public int CalibrationThreads { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (the message names it).</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown calibration method.");
        if (!Enum.IsDefined(Activations))
            throw new ArgumentOutOfRangeException(nameof(Activations), Activations, "Unknown activation type.");
        if (!(Percentile >= 90 && Percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(Percentile), Percentile, "The percentile must be between 90 and 100.");
        if (MaxCalibrationFrames < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxCalibrationFrames), MaxCalibrationFrames, "At least one calibration frame is needed.");
        if (HistogramBins < 256 || HistogramBins > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "Histograms need between 256 and 65536 bins.");
        if (CalibrationThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(CalibrationThreads), CalibrationThreads, "The thread count cannot be negative.");
        ArgumentNullException.ThrowIfNull(WeightedOperators, nameof(WeightedOperators));
        ArgumentNullException.ThrowIfNull(Fp32Nodes, nameof(Fp32Nodes));
        foreach (var op in WeightedOperators)
            if (op is not ("Conv" or "Gemm" or "MatMul"))
                throw new ArgumentOutOfRangeException(nameof(WeightedOperators), op, "Only Conv, Gemm and MatMul weights can be quantized.");
    }

    /// <summary>The calibration method as written in the model's metadata: <c>minmax</c>, <c>percentile(99.999)</c> or <c>entropy</c>.</summary>
    public string MethodName => Method switch
    {
        CalibrationMethod.MinMax => "minmax",
        CalibrationMethod.Percentile => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"percentile({Percentile})"),
        _ => "entropy",
    };
}
