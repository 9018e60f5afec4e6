namespace Emotion.Torch.Import;

/// <summary>The element type of a decoded TensorFlow.js weight (quantized and float16 weights decode to <see cref="Float32"/>).</summary>
public enum TfjsDataType
{
    /// <summary>32-bit floats (also the decoded form of uint8/uint16/float16-quantized float weights).</summary>
    Float32,

    /// <summary>32-bit integers (for example reduction axes of a graph model).</summary>
    Int32,

    /// <summary>Booleans, one byte each in the shard.</summary>
    Bool,
}
