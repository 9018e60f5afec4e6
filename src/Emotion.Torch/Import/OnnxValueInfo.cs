namespace Emotion.Torch.Import;

/// <summary>A graph input or output as declared in an ONNX file: its name, element type and shape.</summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The declared element type (<see cref="OnnxElementType.Undefined"/> when not a dense tensor).</param>
/// <param name="Dims">Per axis a fixed size, or null for a symbolic or unknown size; empty when the shape is not declared.</param>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<long?> Dims)
{
    /// <summary>The value as <c>name: Float [1, 3, 224, 224]</c> (<c>?</c> for a symbolic size).</summary>
    public override string ToString() => $"{Name}: {ElementType} [{string.Join(", ", Dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]";
}
