namespace Emotion.Torch.Import;

/// <summary>One operator call of an ONNX graph.</summary>
/// <param name="Name">The node's name (may be empty).</param>
/// <param name="OpType">The operator, for example <c>Conv</c>.</param>
/// <param name="Domain">The operator set domain (empty for the default ai.onnx domain).</param>
/// <param name="Inputs">Input value names in order (an empty name is an omitted optional input).</param>
/// <param name="Outputs">Output value names in order.</param>
/// <param name="Attributes">Attributes by name.</param>
public sealed record OnnxNode(
    string Name,
    string OpType,
    string Domain,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxNodeAttribute> Attributes)
{
    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long GetInt(string name, long fallback) => Attributes.TryGetValue(name, out var a) && a.Int is { } v ? v : fallback;

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float GetFloat(string name, float fallback) => Attributes.TryGetValue(name, out var a) && a.Float is { } v ? v : fallback;

    /// <summary>A string attribute, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) => Attributes.TryGetValue(name, out var a) && a.String is { } v ? v : fallback;

    /// <summary>An integer-list attribute, or <paramref name="fallback"/> when absent.</summary>
    public IReadOnlyList<long> GetInts(string name, IReadOnlyList<long> fallback) =>
        Attributes.TryGetValue(name, out var a) && (a.Ints.Count > 0 || a.Kind == 7) ? a.Ints : fallback;

    /// <summary>The node as <c>Conv 'Convolution249' (Input247, Parameter91) -> (Convolution249_Output_0) {pads=[3, 3, 2, 2], ...}</c>.</summary>
    public override string ToString() =>
        $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})" +
        (Attributes.Count > 0 ? $" {{{string.Join(", ", Attributes.Values)}}}" : "");
}
