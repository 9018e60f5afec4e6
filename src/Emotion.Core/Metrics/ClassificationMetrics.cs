namespace Emotion.Core.Metrics;

/// <summary>
/// Classification metrics over class-index spans: frames whose target is -1 (unlabeled) or whose mask entry is false are
/// skipped. Each call builds a <see cref="ConfusionMatrix"/> (see it for the formulas and zero-division rules).
/// </summary>
/// <remarks>Degenerate input: no scored frame throws <see cref="ArgumentException"/>; different lengths throw
/// <see cref="ArgumentException"/> naming the arguments; a scored index out of range throws <see cref="ArgumentOutOfRangeException"/>
/// naming the argument and position.</remarks>
public static class ClassificationMetrics
{
    /// <summary>The confusion matrix of the scored frames (rows = target, columns = prediction).</summary>
    /// <exception cref="ArgumentException">Lengths differ or no frame is scored.</exception>
    public static ConfusionMatrix ConfusionMatrix(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, int classCount, ReadOnlySpan<bool> mask = default)
    {
        var matrix = Metrics.ConfusionMatrix.From(predicted, targets, classCount, mask);
        MetricGuard.AnyScored(matrix.Total, nameof(targets));
        return matrix;
    }

    /// <summary>Fraction of scored frames predicted correctly.</summary>
    /// <exception cref="ArgumentException">Lengths differ or no frame is scored.</exception>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, int classCount, ReadOnlySpan<bool> mask = default) =>
        ConfusionMatrix(predicted, targets, classCount, mask).Accuracy();

    /// <summary>Macro F1 over all <paramref name="classCount"/> classes (zero_division = 0).</summary>
    /// <exception cref="ArgumentException">Lengths differ or no frame is scored.</exception>
    public static double MacroF1(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, int classCount, ReadOnlySpan<bool> mask = default) =>
        ConfusionMatrix(predicted, targets, classCount, mask).MacroF1();

    /// <summary>Index of the largest score of one row (first index on ties).</summary>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    internal static int ArgMaxRow(ReadOnlySpan<float> row, int rowIndex)
    {
        int best = 0;
        for (int c = 0; c < row.Length; c++)
        {
            if (float.IsNaN(row[c])) throw new ArgumentException($"scores row {rowIndex} (class {c}) is NaN.", "scores");
            if (row[c] > row[best]) best = c;
        }
        return best;
    }

    /// <summary>Writes the index of the largest score of each row of a row-major <c>[N, K]</c> score matrix (probabilities or logits; first index on ties).</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="scores"/> is not N x K, or a score is NaN (the message names the row).</exception>
    public static void ArgMaxRows(ReadOnlySpan<float> scores, int classCount, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if ((long)destination.Length * classCount != scores.Length)
            throw new ArgumentException(
                $"scores has {scores.Length} entries; expected {destination.Length} rows x {classCount} classes = {(long)destination.Length * classCount}.", nameof(scores));
        for (int i = 0; i < destination.Length; i++)
            destination[i] = ArgMaxRow(scores.Slice(i * classCount, classCount), i);
    }
}
