using System.Collections.Immutable;

namespace Emotion.Analysis;

/// <summary>A t-SNE embedding.</summary>
/// <param name="Embedding">Row-major n x <paramref name="Dimensions"/> coordinates (centred on the origin).</param>
/// <param name="Rows">Number of points n.</param>
/// <param name="Dimensions">Output dimensions.</param>
/// <param name="KlDivergence">KL(P || Q) of the final embedding (without exaggeration), the cost t-SNE minimises.</param>
/// <param name="Iterations">Iterations run.</param>
public sealed record TSneResult(ImmutableArray<double> Embedding, int Rows, int Dimensions, double KlDivergence, int Iterations)
{
    /// <summary>The coordinates of point <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> Point(int index)
    {
        if ((uint)index >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a point index in [0, {Rows - 1}].");
        return Embedding.AsSpan().Slice(index * Dimensions, Dimensions);
    }
}
