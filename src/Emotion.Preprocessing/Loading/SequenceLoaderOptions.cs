namespace Emotion.Preprocessing.Loading;

/// <summary>How <see cref="SequenceBatchLoader"/> batches windows.</summary>
public sealed record SequenceLoaderOptions
{
    /// <summary>Sequences per batch (B).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Shuffle the windows every epoch (a permutation seeded by <see cref="Seed"/> and the epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed for shuffling and augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Leave out the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Background threads preparing batches.</summary>
    public int Workers { get; init; } = Math.Clamp(Environment.ProcessorCount - 1, 1, 4);

    /// <summary>Finished batches each worker may hold ahead of the consumer (bounded prefetch).</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Apply the pipeline's random augmentation (training); false gives the evaluation path.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>
    /// Use the same random choices (crop, flip, colour) for all frames of a window, keyed by the window's first frame
    /// number, so a sequence does not flicker; false draws them per frame, keyed by each frame's number.
    /// </summary>
    public bool ConsistentAugmentation { get; init; } = true;

    /// <summary>
    /// Lay the batches out as lanes for stateful training (truncated back-propagation through time, <see cref="Sequences.LaneSchedule"/>):
    /// row b of every batch continues lane b, which walks through whole segments of videos window after window, and
    /// <see cref="Core.Data.SequenceBatch.ContinuesState"/> says where a row carries the recurrent state. <see cref="Shuffle"/>
    /// then shuffles the segments, not the windows. The windows should not overlap (stride = length), else no row carries
    /// state. With <see cref="Augment"/> and <see cref="ConsistentAugmentation"/>, the random choices are keyed by the
    /// first frame of the window's segment, so a lane's consecutive windows are augmented alike.
    /// </summary>
    public bool Stateful { get; init; }

    /// <summary>Keep prepared frames (bytes) in memory up to this many bytes (null = no cache).</summary>
    public long? CacheCapacityBytes { get; init; }

    /// <summary>The evaluation setting: in order, no augmentation, no dropped batch.</summary>
    public static SequenceLoaderOptions ForEvaluation(int batchSize, int? workers = null) => new()
    {
        BatchSize = batchSize,
        Shuffle = false,
        DropLast = false,
        Augment = false,
        Workers = workers ?? Math.Clamp(Environment.ProcessorCount - 1, 1, 4),
    };

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public SequenceLoaderOptions Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be at least 1.");
        if (Workers < 1) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "At least one worker is needed.");
        if (Prefetch < 1) throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be at least 1 batch.");
        if (CacheCapacityBytes is { } c && c < 0) throw new ArgumentOutOfRangeException(nameof(CacheCapacityBytes), c, "The cache capacity must not be negative.");
        return this;
    }
}
