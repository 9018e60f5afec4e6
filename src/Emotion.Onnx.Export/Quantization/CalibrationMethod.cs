namespace Emotion.Onnx.Export.Quantization;

/// <summary>How <see cref="OnnxQuantizer"/> turns the activations observed on calibration frames into a range [rmin, rmax].</summary>
public enum CalibrationMethod
{
    /// <summary>
    /// The smallest and largest value seen (widened to include 0): every calibration value is representable, but one
    /// outlier stretches the scale of all the others.
    /// </summary>
    MinMax,

    /// <summary>
    /// The values at the <see cref="QuantizationOptions.Percentile"/> and 100 - percentile points of the value
    /// histogram (widened to include 0): the rarest values saturate, the rest get a finer scale.
    /// </summary>
    Percentile,

    /// <summary>
    /// The clipping threshold that minimises the Kullback-Leibler divergence between the histogram of |x| and its
    /// 8-bit quantized version (TensorRT's entropy calibration).
    /// </summary>
    Entropy,
}
