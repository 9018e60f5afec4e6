namespace Emotion.Onnx.Export.Graph;

/// <summary>
/// One dimension of a graph input or output shape: a fixed size or a symbolic name (a dynamic axis such as
/// <c>"batch"</c>). Converts implicitly from <see cref="long"/>, <see cref="int"/> and <see cref="string"/>, so a shape
/// can be written as <c>["batch", "time", 3, 112, 112]</c>.
/// </summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(long? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <summary>A fixed dimension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public static OnnxDimension Fixed(long size) =>
        size >= 0 ? new(size, null) : throw new ArgumentOutOfRangeException(nameof(size), size, "A dimension size must be non-negative.");

    /// <summary>A symbolic (dynamic) dimension.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static OnnxDimension Dynamic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(null, name);
    }

    /// <summary>Converts a fixed size.</summary>
    public static implicit operator OnnxDimension(long size) => Fixed(size);

    /// <summary>Converts a fixed size.</summary>
    public static implicit operator OnnxDimension(int size) => Fixed(size);

    /// <summary>Converts a symbolic name.</summary>
    public static implicit operator OnnxDimension(string name) => Dynamic(name);

    /// <inheritdoc />
    public override string ToString() => Symbol ?? Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
