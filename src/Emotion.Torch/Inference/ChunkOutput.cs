namespace Emotion.Torch.Inference;

/// <summary>The per-frame outputs of a chunk, row-major: logits and probabilities <c>[n, C]</c>, valence/arousal <c>[n, 2]</c> (null when the task has none).</summary>
internal sealed record ChunkOutput(float[]? Logits, float[]? Probabilities, float[]? ValenceArousal)
{
    public static ChunkOutput Concat(IReadOnlyList<ChunkOutput> parts) => new(
        Join(parts.Select(p => p.Logits)), Join(parts.Select(p => p.Probabilities)), Join(parts.Select(p => p.ValenceArousal)));

    private static float[]? Join(IEnumerable<float[]?> arrays)
    {
        var list = arrays.ToList();
        return list.Count == 0 || list[0] is null ? null : [.. list.SelectMany(a => a!)];
    }
}
