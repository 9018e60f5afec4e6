namespace Emotion.Core.Metrics;

/// <summary>
/// Mutable counterpart of <see cref="ConfusionMatrix"/> for streaming: add batches of (predicted, target) class indices, then
/// take an immutable snapshot with <see cref="ToMatrix"/>. Memory is K x K counts whatever the number of frames.
/// </summary>
public sealed class ConfusionMatrixBuilder
{
    private readonly long[] _counts;

    /// <summary>Creates an empty K x K builder.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is not positive.</exception>
    public ConfusionMatrixBuilder(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Number of frames counted so far.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one frame.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, K).</exception>
    public void Add(int target, int predicted)
    {
        CheckClass(target, nameof(target), 0);
        CheckClass(predicted, nameof(predicted), 0);
        _counts[target * ClassCount + predicted]++;
        Total++;
    }

    /// <summary>
    /// Counts the frames that are scored: the mask is true (or empty) and the target is not -1 (unlabeled).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scored index is outside [0, K) (targets may also be -1); nothing is counted then.</exception>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, ReadOnlySpan<bool> mask = default)
    {
        MetricGuard.SameLength(predicted.Length, nameof(predicted), targets.Length, nameof(targets));
        MetricGuard.Mask(mask, targets.Length, nameof(targets));
        for (int i = 0; i < targets.Length; i++)
        {
            if (!MetricGuard.IsScored(mask, i) || targets[i] == -1) continue;
            CheckClass(targets[i], nameof(targets), i);
            CheckClass(predicted[i], nameof(predicted), i);
        }
        for (int i = 0; i < targets.Length; i++)
        {
            if (!MetricGuard.IsScored(mask, i) || targets[i] == -1) continue;
            _counts[targets[i] * ClassCount + predicted[i]]++;
            Total++;
        }
    }

    /// <summary>Adds the counts of another builder with the same number of classes.</summary>
    /// <exception cref="ArgumentException">The class counts differ.</exception>
    public void Merge(ConfusionMatrixBuilder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
            throw new ArgumentException($"Cannot merge a {other.ClassCount}-class confusion matrix into a {ClassCount}-class one.", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Total += other.Total;
    }

    /// <summary>Clears every count.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Total = 0;
    }

    /// <summary>An immutable snapshot of the counts so far.</summary>
    public ConfusionMatrix ToMatrix() => new(ClassCount, (long[])_counts.Clone());

    private void CheckClass(int index, string name, int position)
    {
        if ((uint)index >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException(name, index,
                $"{name}[{position}] is {index}; expected a class index in [0, {ClassCount - 1}]" + (name == "targets" ? " or -1 for unlabeled." : "."));
    }
}
