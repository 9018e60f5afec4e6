using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Emotion.Core.Metrics;

/// <summary>
/// An immutable confusion matrix: entry [target, predicted] counts the scored frames of target class <c>target</c> that were
/// predicted as <c>predicted</c> (rows = target, columns = prediction, as scikit-learn's <c>confusion_matrix</c>).
/// Classification metrics are read from it: accuracy, per-class precision/recall/F1 and macro F1.
/// </summary>
/// <remarks>
/// <para>With TP_c = C[c,c], FP_c = column sum - TP_c, FN_c = row sum - TP_c:
/// accuracy = sum_c TP_c / N; precision_c = TP_c / (TP_c + FP_c); recall_c = TP_c / (TP_c + FN_c);
/// F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c) (equal to 2PR/(P+R)); macro F1 = (1/K) sum_c F1_c over all K classes.</para>
/// <para>A ratio with a zero denominator is 0 (scikit-learn's <c>zero_division=0</c>). Macro F1 averages over every class of the
/// matrix, including classes absent from both targets and predictions (which score 0), which equals scikit-learn's
/// <c>f1_score(average="macro", labels=range(K))</c>; <see cref="MacroF1(bool)"/> with <c>presentClassesOnly: true</c> averages over
/// the classes that occur in targets or predictions, which is scikit-learn's default when <c>labels</c> is not given.</para>
/// <para>Metrics of an empty matrix (no scored frame) throw <see cref="InvalidOperationException"/>.</para>
/// Serialises to JSON as <c>{"counts": [[...], ...]}</c>.
/// </remarks>
public sealed class ConfusionMatrix : IEquatable<ConfusionMatrix>
{
    private readonly long[] _counts;

    /// <summary>Creates a matrix from its rows (one per target class, each with one count per predicted class).</summary>
    /// <exception cref="ArgumentException">The rows do not form a square matrix of at least one class, or a count is negative.</exception>
    [JsonConstructor]
    public ConfusionMatrix(ImmutableArray<ImmutableArray<long>> counts)
    {
        if (counts.IsDefaultOrEmpty) throw new ArgumentException("A confusion matrix needs at least one class.", nameof(counts));
        int k = counts.Length;
        _counts = new long[k * k];
        for (int r = 0; r < k; r++)
        {
            if (counts[r].IsDefault || counts[r].Length != k)
                throw new ArgumentException($"Row {r} of the confusion matrix has {(counts[r].IsDefault ? 0 : counts[r].Length)} entries; expected {k} (a square matrix).", nameof(counts));
            for (int c = 0; c < k; c++)
            {
                if (counts[r][c] < 0) throw new ArgumentException($"Confusion count [{r}, {c}] is {counts[r][c]}; expected a non-negative count.", nameof(counts));
                _counts[r * k + c] = counts[r][c];
            }
        }
        ClassCount = k;
        Total = Sum(_counts);
    }

    /// <summary>Wraps a row-major count array that the caller gives up.</summary>
    internal ConfusionMatrix(int classCount, long[] counts)
    {
        ClassCount = classCount;
        _counts = counts;
        Total = Sum(counts);
    }

    /// <summary>Counts the scored pairs of class indices.</summary>
    /// <param name="predicted">Predicted class per frame, in [0, classCount) where scored.</param>
    /// <param name="targets">Target class per frame, in [0, classCount), or -1 for an unlabeled frame (skipped).</param>
    /// <param name="classCount">Number of classes K.</param>
    /// <param name="mask">Optional: true where the frame is scored; empty scores every frame with a target other than -1.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scored index is out of range (the message names the argument and position).</exception>
    public static ConfusionMatrix From(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, int classCount, ReadOnlySpan<bool> mask = default)
    {
        var builder = new ConfusionMatrixBuilder(classCount);
        builder.Add(predicted, targets, mask);
        return builder.ToMatrix();
    }

    /// <summary>Number of classes K (the matrix is K x K).</summary>
    [JsonIgnore]
    public int ClassCount { get; }

    /// <summary>Number of scored frames (sum of all entries).</summary>
    [JsonIgnore]
    public long Total { get; }

    /// <summary>The rows of the matrix (row = target class, column = predicted class).</summary>
    public ImmutableArray<ImmutableArray<long>> Counts
    {
        get
        {
            var rows = ImmutableArray.CreateBuilder<ImmutableArray<long>>(ClassCount);
            for (int r = 0; r < ClassCount; r++) rows.Add(ImmutableArray.Create(_counts, r * ClassCount, ClassCount));
            return rows.MoveToImmutable();
        }
    }

    /// <summary>Frames of target class <paramref name="target"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int target, int predicted]
    {
        get
        {
            CheckClass(target, nameof(target));
            CheckClass(predicted, nameof(predicted));
            return _counts[target * ClassCount + predicted];
        }
    }

    /// <summary>Number of frames whose target is <paramref name="classIndex"/> (row sum).</summary>
    public long Support(int classIndex)
    {
        CheckClass(classIndex, nameof(classIndex));
        long s = 0;
        for (int c = 0; c < ClassCount; c++) s += _counts[classIndex * ClassCount + c];
        return s;
    }

    /// <summary>Number of frames predicted as <paramref name="classIndex"/> (column sum).</summary>
    public long PredictedCount(int classIndex)
    {
        CheckClass(classIndex, nameof(classIndex));
        long s = 0;
        for (int r = 0; r < ClassCount; r++) s += _counts[r * ClassCount + classIndex];
        return s;
    }

    /// <summary>Fraction of scored frames predicted correctly: trace / total.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public double Accuracy()
    {
        RequireFrames();
        long correct = 0;
        for (int c = 0; c < ClassCount; c++) correct += _counts[c * ClassCount + c];
        return (double)correct / Total;
    }

    /// <summary>Precision of a class: TP / (TP + FP), 0 when the class was never predicted.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public double Precision(int classIndex) { RequireFrames(); return Ratio(TruePositives(classIndex), PredictedCount(classIndex)); }

    /// <summary>Recall of a class: TP / (TP + FN), 0 when the class has no target frames.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public double Recall(int classIndex) { RequireFrames(); return Ratio(TruePositives(classIndex), Support(classIndex)); }

    /// <summary>F1 of a class: 2 TP / (2 TP + FP + FN), 0 when TP + FP + FN = 0.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public double F1(int classIndex)
    {
        RequireFrames();
        long tp = TruePositives(classIndex);
        return Ratio(2 * tp, Support(classIndex) + PredictedCount(classIndex));
    }

    /// <summary>Unweighted mean of the per-class F1 scores.</summary>
    /// <param name="presentClassesOnly">false (default): average over all K classes; true: only over classes that occur in the targets or the predictions.</param>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public double MacroF1(bool presentClassesOnly = false)
    {
        RequireFrames();
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < ClassCount; c++)
        {
            if (presentClassesOnly && Support(c) == 0 && PredictedCount(c) == 0) continue;
            sum += F1(c);
            classes++;
        }
        return sum / classes;
    }

    /// <summary>Precision, recall, F1 and support of every class.</summary>
    /// <exception cref="InvalidOperationException">The matrix is empty.</exception>
    public ImmutableArray<ClassScores> PerClass()
    {
        RequireFrames();
        var result = ImmutableArray.CreateBuilder<ClassScores>(ClassCount);
        for (int c = 0; c < ClassCount; c++)
            result.Add(new ClassScores(c, Precision(c), Recall(c), F1(c), Support(c)));
        return result.MoveToImmutable();
    }

    /// <summary>The matrix with each row divided by its sum (rows without frames stay 0), for plots.</summary>
    public double[,] RowNormalized()
    {
        var result = new double[ClassCount, ClassCount];
        for (int r = 0; r < ClassCount; r++)
        {
            long support = Support(r);
            if (support == 0) continue;
            for (int c = 0; c < ClassCount; c++) result[r, c] = (double)_counts[r * ClassCount + c] / support;
        }
        return result;
    }

    /// <inheritdoc />
    public bool Equals(ConfusionMatrix? other) =>
        other is not null && other.ClassCount == ClassCount && _counts.AsSpan().SequenceEqual(other._counts);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfusionMatrix);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ClassCount);
        foreach (long c in _counts) hash.Add(c);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        for (int r = 0; r < ClassCount; r++)
        {
            for (int c = 0; c < ClassCount; c++)
            {
                if (c > 0) sb.Append(' ');
                sb.Append(_counts[r * ClassCount + c].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private long TruePositives(int c) { CheckClass(c, "classIndex"); return _counts[c * ClassCount + c]; }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0.0 : (double)numerator / denominator;

    private static long Sum(long[] values) { long s = 0; foreach (long v in values) s += v; return s; }

    private void RequireFrames()
    {
        if (Total == 0)
            throw new InvalidOperationException("The confusion matrix holds no scored frames; classification metrics are undefined.");
    }

    private void CheckClass(int index, string name)
    {
        if ((uint)index >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException(name, index, $"Expected a class index in [0, {ClassCount - 1}].");
    }
}
