using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// A decoded TensorFlow.js weight: its name, TensorFlow shape and values (quantized weights already dequantized).
/// Values are held in row-major (C) order of <see cref="Shape"/>, as TensorFlow stores them.
/// </summary>
public sealed class TfjsTensor
{
    private readonly float[]? floats;
    private readonly int[]? ints;
    private readonly bool[]? bools;

    private TfjsTensor(TfjsWeightSpec spec, TfjsDataType dataType, float[]? floats, int[]? ints, bool[]? bools)
    {
        Spec = spec;
        DataType = dataType;
        this.floats = floats;
        this.ints = ints;
        this.bools = bools;
    }

    internal static TfjsTensor Float(TfjsWeightSpec spec, float[] values) => new(spec, TfjsDataType.Float32, values, null, null);

    internal static TfjsTensor Int(TfjsWeightSpec spec, int[] values) => new(spec, TfjsDataType.Int32, null, values, null);

    internal static TfjsTensor Bool(TfjsWeightSpec spec, bool[] values) => new(spec, TfjsDataType.Bool, null, null, values);

    /// <summary>The manifest entry the tensor was decoded from.</summary>
    public TfjsWeightSpec Spec { get; }

    /// <summary>The tensor name.</summary>
    public string Name => Spec.Name;

    /// <summary>The TensorFlow shape.</summary>
    public IReadOnlyList<int> Shape => Spec.Shape;

    /// <summary>The decoded element type.</summary>
    public TfjsDataType DataType { get; }

    /// <summary>The float values (row-major).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not float32.</exception>
    public ReadOnlyMemory<float> FloatValues => floats ?? throw WrongType(TfjsDataType.Float32);

    /// <summary>The int32 values (row-major).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not int32.</exception>
    public ReadOnlyMemory<int> IntValues => ints ?? throw WrongType(TfjsDataType.Int32);

    /// <summary>The boolean values (row-major).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not bool.</exception>
    public ReadOnlyMemory<bool> BoolValues => bools ?? throw WrongType(TfjsDataType.Bool);

    /// <summary>A new TorchSharp tensor (CPU) with the TensorFlow shape and the decoded values; the caller owns it.</summary>
    public Tensor ToTensor()
    {
        long[] shape = Shape.Select(d => (long)d).ToArray();
        return DataType switch
        {
            TfjsDataType.Float32 => tensor(floats!, shape),
            TfjsDataType.Int32 => tensor(ints!, shape),
            _ => tensor(bools!, shape),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Spec.ToString();

    private InvalidOperationException WrongType(TfjsDataType wanted) =>
        new($"TF.js tensor {Spec} holds {DataType} values, not {wanted}.");
}
