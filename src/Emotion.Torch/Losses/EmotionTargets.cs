using Emotion.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Losses;

/// <summary>
/// The training targets of a batch as tensors: categories <c>long [B, T]</c> (-1 = not scored), valence/arousal
/// <c>float [B, T, 2]</c> with a float mask of the same shape (1 = labeled), plus host-side counts of labeled frames so that a
/// loss can skip an empty term without reading the device. Built with <see cref="FromBatch"/>; disposing releases the tensors.
/// </summary>
/// <remarks>
/// A frame is scored for a task only when it is a real frame (<see cref="SequenceBatch.FrameMask"/>) and labeled for that task.
/// Category labels outside [0, classCount) (for example <c>Other</c> = 7 with a 7-class model) are not scored, as in Aff-Wild2's
/// 7-class evaluation. <see cref="LastFrames"/> gives the targets of sequence-to-one models: one row per sequence, taken
/// from its last real frame.
/// </remarks>
public sealed class EmotionTargets : IDisposable
{
    private EmotionTargets? _lastFrames;
    private readonly Func<EmotionTargets>? _lastFramesFactory;

    private EmotionTargets(int batchSize, int sequenceLength, Tensor categories, Tensor valenceArousal, Tensor valenceArousalMask,
        long categoryCount, long valenceCount, long arousalCount, Func<EmotionTargets>? lastFramesFactory)
    {
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        Categories = categories;
        ValenceArousal = valenceArousal;
        ValenceArousalMask = valenceArousalMask;
        LabeledCategoryFrames = categoryCount;
        LabeledValenceFrames = valenceCount;
        LabeledArousalFrames = arousalCount;
        _lastFramesFactory = lastFramesFactory;
    }

    /// <summary>Number of sequences (B).</summary>
    public int BatchSize { get; }

    /// <summary>Frames per sequence (T; 1 for <see cref="LastFrames"/>).</summary>
    public int SequenceLength { get; }

    /// <summary>Category indices, <c>int64 [B, T]</c>; -1 where the frame is not scored.</summary>
    public Tensor Categories { get; }

    /// <summary>Valence (index 0) and arousal (index 1), <c>float32 [B, T, 2]</c>; 0 where unlabeled.</summary>
    public Tensor ValenceArousal { get; }

    /// <summary>1 where <see cref="ValenceArousal"/> is labeled, 0 elsewhere, <c>float32 [B, T, 2]</c>.</summary>
    public Tensor ValenceArousalMask { get; }

    /// <summary>Number of frames with a scored category.</summary>
    public long LabeledCategoryFrames { get; }

    /// <summary>Number of frames with a labeled valence.</summary>
    public long LabeledValenceFrames { get; }

    /// <summary>Number of frames with a labeled arousal.</summary>
    public long LabeledArousalFrames { get; }

    /// <summary>Labeled frames of valence-arousal dimension <paramref name="dimension"/> (0 valence, 1 arousal).</summary>
    public long LabeledFrames(int dimension) => dimension switch
    {
        0 => LabeledValenceFrames,
        1 => LabeledArousalFrames,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Expected 0 (valence) or 1 (arousal)."),
    };

    /// <summary>
    /// Builds the targets of a batch on <paramref name="device"/> (CPU when null).
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="classCount">The model's number of categories; labels at or above it are not scored.</param>
    public static EmotionTargets FromBatch(SequenceBatch batch, Device? device = null, int classCount = Emotion.Core.EmotionCategories.BasicCount)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        int b = batch.BatchSize, t = batch.SequenceLength;
        return Create(batch, device, classCount, b, t, i => i, () => CreateLast(batch, device, classCount));
    }

    /// <summary>
    /// The targets of a sequence-to-one model: for each sequence, the labels of its last real frame (<c>T = 1</c>). A sequence
    /// without real frames has no scored labels. The result is cached and disposed with this instance.
    /// </summary>
    public EmotionTargets LastFrames()
    {
        if (SequenceLength == 1 || _lastFramesFactory is null) return this;
        return _lastFrames ??= _lastFramesFactory();
    }

    private static EmotionTargets CreateLast(SequenceBatch batch, Device? device, int classCount)
    {
        int t = batch.SequenceLength;
        var last = new int[batch.BatchSize];
        for (int s = 0; s < last.Length; s++)
        {
            last[s] = -1;
            for (int f = t - 1; f >= 0; f--)
                if (batch.FrameMask[s * t + f]) { last[s] = s * t + f; break; }
        }
        return Create(batch, device, classCount, batch.BatchSize, 1, i => last[i], null);
    }

    /// <summary>Builds targets of shape [rows, cols] whose element i reads frame <c>source(i)</c> of the batch (-1: none).</summary>
    private static EmotionTargets Create(SequenceBatch batch, Device? device, int classCount, int rows, int cols,
        Func<int, int> source, Func<EmotionTargets>? lastFactory)
    {
        int n = rows * cols;
        var categories = new long[n];
        var va = new float[2 * n];
        var mask = new float[2 * n];
        long nc = 0, nv = 0, na = 0;
        for (int i = 0; i < n; i++)
        {
            int j = source(i);
            categories[i] = -1;
            if (j < 0 || !batch.FrameMask[j]) continue;
            int c = batch.Categories[j];
            if ((uint)c < (uint)classCount) { categories[i] = c; nc++; }
            if (batch.ValenceMask[j])
            {
                va[2 * i] = CheckFinite(batch.Valence[j], "valence", batch, j);
                mask[2 * i] = 1f;
                nv++;
            }
            if (batch.ArousalMask[j])
            {
                va[2 * i + 1] = CheckFinite(batch.Arousal[j], "arousal", batch, j);
                mask[2 * i + 1] = 1f;
                na++;
            }
        }
        device ??= CPU;
        return new EmotionTargets(rows, cols,
            torch.tensor(categories, [rows, cols], device: device),
            torch.tensor(va, [rows, cols, 2], device: device),
            torch.tensor(mask, [rows, cols, 2], device: device),
            nc, nv, na, lastFactory);
    }

    private static float CheckFinite(float value, string name, SequenceBatch batch, int flatIndex)
    {
        if (float.IsFinite(value)) return value;
        int s = flatIndex / batch.SequenceLength, f = flatIndex % batch.SequenceLength;
        throw new ArgumentException(
            $"The {name} label of sequence {s} ('{batch.VideoIds[s]}'), frame {f} (frame number {batch.FrameNumbers[flatIndex]}) is {value}; labeled values must be finite (clear the mask for an unlabeled frame).",
            nameof(batch));
    }

    /// <summary>Moves the tensors out of the current dispose scope.</summary>
    public EmotionTargets MoveToOuterDisposeScope()
    {
        Categories.MoveToOuterDisposeScope();
        ValenceArousal.MoveToOuterDisposeScope();
        ValenceArousalMask.MoveToOuterDisposeScope();
        _lastFrames?.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Categories.Dispose();
        ValenceArousal.Dispose();
        ValenceArousalMask.Dispose();
        _lastFrames?.Dispose();
        _lastFrames = null;
    }
}
