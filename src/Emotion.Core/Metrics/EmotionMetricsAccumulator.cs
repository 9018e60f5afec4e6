using Emotion.Core.Data;

namespace Emotion.Core.Metrics;

/// <summary>
/// Streaming evaluation of an emotion model, used by the trainer's validation and by <c>emotion evaluate</c>: feed batches of
/// predictions with their targets and masks, then <see cref="Compute"/> an <see cref="EmotionMetricsReport"/>. Memory is
/// constant: a K x K confusion count for categories and running double-precision moments for valence and arousal.
/// </summary>
/// <remarks>
/// <para>Scoring rules. A category frame is scored when its mask is true (or no mask is given) and its target is not -1; a
/// valence/arousal frame when its mask is true. For a <see cref="SequenceBatch"/> the masks are
/// <c>FrameMask &amp;&amp; Categories &gt;= 0</c>, <c>FrameMask &amp;&amp; ValenceMask</c> and <c>FrameMask &amp;&amp; ArousalMask</c>.
/// For a <see cref="FrameLabel"/> the missing parts are not scored, and <see cref="EmotionCategory.Other"/> is not scored by a
/// 7-class accumulator (Aff-Wild2 leaves Other out of 7-class evaluation); integer targets outside [0, K) other than -1 throw.</para>
/// <para>Category scores may be probabilities or logits (the arg-max is taken, first index on ties).</para>
/// <para>Not thread-safe; use one accumulator per thread and <see cref="Merge"/> them.</para>
/// </remarks>
public sealed class EmotionMetricsAccumulator
{
    private readonly ConfusionMatrixBuilder _confusion;
    private readonly RegressionAccumulator _valence = new();
    private readonly RegressionAccumulator _arousal = new();

    /// <summary>Creates an accumulator for 7 (basic) or 8 (with Other) categories.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is not 7 or 8.</exception>
    public EmotionMetricsAccumulator(int classCount = EmotionCategories.BasicCount)
    {
        if (classCount is not (EmotionCategories.BasicCount or EmotionCategories.BasicCount + 1))
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Expected 7 (basic) or 8 (with Other) categories.");
        ClassCount = classCount;
        _confusion = new ConfusionMatrixBuilder(classCount);
    }

    /// <summary>Number of categories K.</summary>
    public int ClassCount { get; }

    /// <summary>Category frames scored so far.</summary>
    public long CategoryFrames => _confusion.Total;

    /// <summary>Valence frames scored so far.</summary>
    public long ValenceFrames => _valence.Count;

    /// <summary>Arousal frames scored so far.</summary>
    public long ArousalFrames => _arousal.Count;

    /// <summary>Adds predicted and target category indices (targets -1 or masked out are skipped).</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scored index is outside [0, K).</exception>
    public void AddCategories(ReadOnlySpan<int> predicted, ReadOnlySpan<int> targets, ReadOnlySpan<bool> mask = default) =>
        _confusion.Add(predicted, targets, mask);

    /// <summary>Adds row-major <c>[N, K]</c> category probabilities or logits with N target indices; the arg-max of each row is the prediction.</summary>
    /// <exception cref="ArgumentException">The score length is not N x K, a score is NaN, or the mask length differs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scored target is outside [0, K).</exception>
    public void AddCategoryScores(ReadOnlySpan<float> scores, ReadOnlySpan<int> targets, ReadOnlySpan<bool> mask = default)
    {
        if ((long)targets.Length * ClassCount != scores.Length)
            throw new ArgumentException(
                $"scores has {scores.Length} entries; expected {targets.Length} targets x {ClassCount} classes = {(long)targets.Length * ClassCount}.", nameof(scores));
        MetricGuard.Mask(mask, targets.Length, nameof(targets));
        int[] predicted = System.Buffers.ArrayPool<int>.Shared.Rent(targets.Length);
        try
        {
            var span = predicted.AsSpan(0, targets.Length);
            // Only scored rows are read, so padding rows may hold anything.
            for (int i = 0; i < span.Length; i++)
                span[i] = MetricGuard.IsScored(mask, i) && targets[i] != -1 ? ClassificationMetrics.ArgMaxRow(scores.Slice(i * ClassCount, ClassCount), i) : 0;
            _confusion.Add(span, targets, mask);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(predicted);
        }
    }

    /// <summary>Adds predicted and target valence where the mask is true (everywhere when it is empty).</summary>
    /// <exception cref="ArgumentException">Lengths differ or a scored value is not finite.</exception>
    public void AddValence(ReadOnlySpan<float> predicted, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        _valence.Add(predicted, targets, mask);

    /// <summary>Adds predicted and target arousal where the mask is true (everywhere when it is empty).</summary>
    /// <exception cref="ArgumentException">Lengths differ or a scored value is not finite.</exception>
    public void AddArousal(ReadOnlySpan<float> predicted, ReadOnlySpan<float> targets, ReadOnlySpan<bool> mask = default) =>
        _arousal.Add(predicted, targets, mask);

    /// <summary>
    /// Adds a model's outputs for a <see cref="SequenceBatch"/>: <paramref name="categoryScores"/> is <c>[B, T, K]</c> (empty when the
    /// model predicts no categories), <paramref name="valence"/> and <paramref name="arousal"/> are <c>[B, T]</c> (empty when not
    /// predicted). Padding frames and unlabeled parts are skipped.
    /// </summary>
    /// <exception cref="ArgumentException">An output has the wrong length, or a scored value is NaN.</exception>
    public void Add(SequenceBatch batch, ReadOnlySpan<float> categoryScores, ReadOnlySpan<float> valence, ReadOnlySpan<float> arousal)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.BatchSize * batch.SequenceLength;
        if (!categoryScores.IsEmpty && categoryScores.Length != (long)n * ClassCount)
            throw new ArgumentException($"categoryScores has {categoryScores.Length} entries; expected [B={batch.BatchSize}, T={batch.SequenceLength}, K={ClassCount}] = {(long)n * ClassCount}.", nameof(categoryScores));
        if (!valence.IsEmpty && valence.Length != n)
            throw new ArgumentException($"valence has {valence.Length} entries; expected [B={batch.BatchSize}, T={batch.SequenceLength}] = {n}.", nameof(valence));
        if (!arousal.IsEmpty && arousal.Length != n)
            throw new ArgumentException($"arousal has {arousal.Length} entries; expected [B={batch.BatchSize}, T={batch.SequenceLength}] = {n}.", nameof(arousal));

        bool[] mask = System.Buffers.ArrayPool<bool>.Shared.Rent(n);
        try
        {
            var m = mask.AsSpan(0, n);
            if (!categoryScores.IsEmpty)
            {
                for (int i = 0; i < n; i++) m[i] = batch.FrameMask[i] && batch.Categories[i] >= 0;
                AddCategoryScores(categoryScores, batch.Categories, m);
            }
            if (!valence.IsEmpty)
            {
                for (int i = 0; i < n; i++) m[i] = batch.FrameMask[i] && batch.ValenceMask[i];
                _valence.Add(valence, batch.Valence, m);
            }
            if (!arousal.IsEmpty)
            {
                for (int i = 0; i < n; i++) m[i] = batch.FrameMask[i] && batch.ArousalMask[i];
                _arousal.Add(arousal, batch.Arousal, m);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<bool>.Shared.Return(mask);
        }
    }

    /// <summary>
    /// Adds one frame's prediction and label. Each task is scored when both the prediction and the label have it; a label of
    /// <see cref="EmotionCategory.Other"/> is skipped by a 7-class accumulator.
    /// </summary>
    /// <exception cref="ArgumentException">The prediction has a number of probabilities other than K, or a NaN value.</exception>
    public void Add(FramePrediction prediction, FrameLabel label)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (label.Category is { } target && !prediction.Probabilities.IsDefaultOrEmpty && (int)target < ClassCount)
        {
            if (prediction.Probabilities.Length != ClassCount)
                throw new ArgumentException($"Frame {prediction.FrameNumber} has {prediction.Probabilities.Length} category probabilities; expected {ClassCount}.", nameof(prediction));
            Span<int> t = [(int)target];
            AddCategoryScores(prediction.Probabilities.AsSpan(), t);
        }
        if (label.Valence is { } v && prediction.Valence is { } pv)
        {
            if (!float.IsFinite(pv)) throw new ArgumentException($"Frame {prediction.FrameNumber} has predicted valence {pv}; expected a finite number.", nameof(prediction));
            _valence.Add(pv, v);
        }
        if (label.Arousal is { } a && prediction.Arousal is { } pa)
        {
            if (!float.IsFinite(pa)) throw new ArgumentException($"Frame {prediction.FrameNumber} has predicted arousal {pa}; expected a finite number.", nameof(prediction));
            _arousal.Add(pa, a);
        }
    }

    /// <summary>Adds everything another accumulator with the same number of categories has seen.</summary>
    /// <exception cref="ArgumentException">The category counts differ.</exception>
    public void Merge(EmotionMetricsAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _confusion.Merge(other._confusion);
        _valence.Merge(other._valence);
        _arousal.Merge(other._arousal);
    }

    /// <summary>Forgets every frame (for example at the start of a validation epoch).</summary>
    public void Reset()
    {
        _confusion.Reset();
        _valence.Reset();
        _arousal.Reset();
    }

    /// <summary>Computes the report of the frames seen so far; tasks without scored frames have null members.</summary>
    public EmotionMetricsReport Compute()
    {
        var categories = ClassCount == EmotionCategories.BasicCount ? EmotionCategories.Basic : EmotionCategories.WithOther;
        var valence = _valence.Count > 0 ? _valence.Compute() : null;
        var arousal = _arousal.Count > 0 ? _arousal.Compute() : null;
        var report = new EmotionMetricsReport
        {
            Categories = categories,
            CategoryFrames = _confusion.Total,
            ValenceFrames = _valence.Count,
            ArousalFrames = _arousal.Count,
            Valence = valence,
            Arousal = arousal,
            AbawVaScore = valence is not null && arousal is not null ? AbawScores.ValenceArousal(valence.Ccc, arousal.Ccc) : null,
        };
        if (_confusion.Total == 0) return report;
        var matrix = _confusion.ToMatrix();
        double accuracy = matrix.Accuracy(), macroF1 = matrix.MacroF1();
        return report with
        {
            Accuracy = accuracy,
            MacroF1 = macroF1,
            PerClass = matrix.PerClass(),
            ConfusionMatrix = matrix,
            AbawExpressionScore = macroF1,
            AbawF1AccuracyExpressionScore = AbawScores.F1AccuracyExpression(macroF1, accuracy),
        };
    }
}
