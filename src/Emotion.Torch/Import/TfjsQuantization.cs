namespace Emotion.Torch.Import;

/// <summary>
/// How a TensorFlow.js weight is stored in its shard when it is quantized (the manifest's <c>quantization</c> object).
/// Affine forms (<c>uint8</c>, <c>uint16</c>) decode as <c>value = q * Scale + Min</c>, computed in double precision and then
/// rounded to the weight's type, as TensorFlow.js's <c>io.decodeWeights</c> does; <c>float16</c> stores IEEE half floats.
/// </summary>
/// <param name="DType">The stored type: <c>uint8</c>, <c>uint16</c> or <c>float16</c>.</param>
/// <param name="Scale">The step between quantized levels (affine forms only).</param>
/// <param name="Min">The value of level 0 (affine forms only).</param>
public sealed record TfjsQuantization(string DType, double? Scale, double? Min)
{
    /// <summary>The bytes one stored element takes (1 for uint8, 2 for uint16 and float16).</summary>
    public int BytesPerElement => DType switch
    {
        "uint8" => 1,
        "uint16" or "float16" => 2,
        _ => throw new InvalidOperationException($"Unknown quantization type '{DType}'."),
    };

    /// <summary>Whether this is an affine (scale and min) quantization.</summary>
    public bool IsAffine => DType is "uint8" or "uint16";
}
