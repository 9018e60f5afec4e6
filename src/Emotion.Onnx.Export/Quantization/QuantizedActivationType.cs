namespace Emotion.Onnx.Export.Quantization;

/// <summary>The 8-bit type of quantized activations (weights are always int8, symmetric).</summary>
public enum QuantizedActivationType
{
    /// <summary>
    /// uint8 with a zero point in [0, 255] (U8S8 with the int8 weights): the form ONNX Runtime's x86-64 int8 kernels
    /// (QLinearConv, QGemm, MLAS u8s8 GEMM, VNNI's VPDPBUSD) take natively.
    /// </summary>
    UInt8,

    /// <summary>
    /// int8 with a zero point in [-128, 127] (S8S8). ONNX Runtime on x86-64 converts such QDQ pairs to uint8 itself
    /// (its QDQS8ToU8 transformer, zero point + 128), so the kernels are the same; ARM CPUs run S8S8 directly.
    /// </summary>
    Int8,
}
