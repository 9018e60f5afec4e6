namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// A value flowing through the graph while a module is emitted: its ONNX name and its shape without the leading batch
/// axis (which stays dynamic), for example <c>[C, H, W]</c> after a convolution or <c>[F]</c> after flattening.
/// </summary>
/// <param name="Name">The ONNX value name.</param>
/// <param name="Shape">The per-sample shape (all axes after the batch axis), known statically.</param>
public sealed record OnnxValue(string Name, IReadOnlyList<long> Shape)
{
    /// <summary>The number of per-sample axes (3 for an image tensor <c>[C, H, W]</c>, 1 for a feature vector).</summary>
    public int Rank => Shape.Count;

    /// <summary>The product of the per-sample dimensions.</summary>
    public long Size
    {
        get
        {
            long size = 1;
            foreach (long d in Shape) size *= d;
            return size;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [N, {string.Join(", ", Shape)}]";
}
