namespace Emotion.Torch.Import;

/// <summary>One entry of a TensorFlow.js weights manifest: where a tensor lies and how it is encoded.</summary>
/// <param name="Name">The tensor name (for example <c>dense0/conv0/filters</c>).</param>
/// <param name="Shape">The TensorFlow shape (for example <c>[kh, kw, in, out]</c> for a convolution kernel).</param>
/// <param name="DType">The manifest's <c>dtype</c> (<c>float32</c>, <c>int32</c>, <c>bool</c> or <c>float16</c>).</param>
/// <param name="Quantization">How the values are quantized in the shard, or null when stored as <paramref name="DType"/>.</param>
/// <param name="Group">The index of the manifest group (its shards are concatenated in order).</param>
/// <param name="ByteOffset">The offset of the tensor's bytes in its group's concatenated shards.</param>
/// <param name="ByteLength">The number of bytes the tensor takes in the shard.</param>
public sealed record TfjsWeightSpec(
    string Name, IReadOnlyList<int> Shape, string DType, TfjsQuantization? Quantization, int Group, long ByteOffset, long ByteLength)
{
    /// <summary>The number of elements (the product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>A short description such as <c>'fc/weights' [256, 7] float32 (uint8-quantized)</c>.</summary>
    public override string ToString() =>
        $"'{Name}' [{string.Join(", ", Shape)}] {DType}" + (Quantization is { } q ? $" ({q.DType}-quantized)" : "");
}
