namespace Emotion.Onnx.Models;

/// <summary>One scalar per frame inside a model output: the output's name and the index along its last axis.</summary>
/// <param name="OutputName">The graph output's name (for example <c>valence_arousal</c>).</param>
/// <param name="Index">The index along the last axis (for example 0 for valence, 1 for arousal).</param>
public readonly record struct OnnxOutputSlot(string OutputName, int Index)
{
    /// <inheritdoc />
    public override string ToString() => $"{OutputName}[{Index}]";
}
