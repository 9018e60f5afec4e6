using Emotion.Core.Data;

namespace Emotion.Torch.Losses;

/// <summary>Class weights for cross-entropy computed from label frequencies.</summary>
public static class ClassWeights
{
    /// <summary>
    /// scikit-learn's <c>compute_class_weight('balanced')</c>: <c>w_c = N / (K * n_c)</c>, where <c>n_c</c> is the number of
    /// frames labeled c, <c>N = sum_c n_c</c> and <c>K</c> is the number of classes present (<c>n_c &gt; 0</c>). Rare classes
    /// weigh more; the weighted frame count <c>sum_c w_c n_c</c> equals <c>N</c>, so the loss keeps its scale.
    /// A class absent from the labels gets weight 1 (it has no frames whose loss it could scale; with label smoothing the
    /// smoothing mass on it keeps a neutral weight).
    /// </summary>
    /// <param name="counts">Frames per class, in logit order.</param>
    /// <exception cref="ArgumentException">A count is negative, or every count is 0.</exception>
    public static float[] Balanced(ReadOnlySpan<long> counts)
    {
        if (counts.IsEmpty) throw new ArgumentException("Expected one label count per class; got none.", nameof(counts));
        long total = 0;
        int present = 0;
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] < 0) throw new ArgumentException($"counts[{c}] is {counts[c]}; label counts cannot be negative.", nameof(counts));
            total += counts[c];
            if (counts[c] > 0) present++;
        }
        if (total == 0)
            throw new ArgumentException("No labeled frames: balanced class weights need at least one labeled frame in the training data.", nameof(counts));
        var weights = new float[counts.Length];
        for (int c = 0; c < counts.Length; c++)
            weights[c] = counts[c] > 0 ? (float)((double)total / ((double)present * counts[c])) : 1f;
        return weights;
    }

    /// <summary>Counts the frames of each class in batches (labels -1 and labels &gt;= <paramref name="classCount"/> are not counted).</summary>
    /// <param name="batches">The training batches (enumerated once).</param>
    /// <param name="classCount">The number of classes (the model's logits).</param>
    public static long[] Count(IEnumerable<SequenceBatch> batches, int classCount)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var counts = new long[classCount];
        foreach (var batch in batches) Add(counts, batch.Categories);
        return counts;
    }

    /// <summary>Adds the labels in <paramref name="categories"/> to <paramref name="counts"/> (labels outside [0, counts.Length) are skipped).</summary>
    public static void Add(Span<long> counts, ReadOnlySpan<int> categories)
    {
        foreach (int c in categories)
            if ((uint)c < (uint)counts.Length) counts[c]++;
    }
}
