using Emotion.Core.Data;
using Emotion.Preprocessing.Loading;

namespace Emotion.Torch.Training;

/// <summary>
/// Where a <see cref="Trainer"/> gets the batches of an epoch: a function of the 0-based epoch (so that a loader can shuffle
/// and augment per epoch, reproducibly, and a resumed run sees the same batches as an uninterrupted one), with the number of
/// batches per epoch when known (for the ETA and the cosine schedule) and, optionally, the training label counts (for
/// balanced class weights, which are otherwise counted with one pass over epoch 0).
/// </summary>
/// <remarks>The trainer reads a batch only during its step: a loader may reuse a batch's buffers once the next one is requested.</remarks>
public sealed class BatchSource
{
    private readonly Func<int, CancellationToken, IEnumerable<SequenceBatch>> _epoch;

    /// <summary>Creates a source from a function of (epoch, cancellation).</summary>
    /// <param name="epochBatches">The batches of an epoch.</param>
    /// <param name="batchesPerEpoch">The number of batches per epoch, when known.</param>
    /// <param name="classCounts">Labeled frames per class in the training data, when known.</param>
    public BatchSource(Func<int, CancellationToken, IEnumerable<SequenceBatch>> epochBatches, int? batchesPerEpoch = null, IReadOnlyList<long>? classCounts = null)
    {
        _epoch = epochBatches ?? throw new ArgumentNullException(nameof(epochBatches));
        if (batchesPerEpoch is <= 0) throw new ArgumentOutOfRangeException(nameof(batchesPerEpoch), batchesPerEpoch, "Expected a positive number of batches (or null when unknown).");
        BatchesPerEpoch = batchesPerEpoch;
        ClassCounts = classCounts;
    }

    /// <summary>The number of batches per epoch, or null when unknown.</summary>
    public int? BatchesPerEpoch { get; }

    /// <summary>Labeled frames per class, or null when unknown.</summary>
    public IReadOnlyList<long>? ClassCounts { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based).</summary>
    public IEnumerable<SequenceBatch> Batches(int epoch, CancellationToken cancellationToken = default) => _epoch(epoch, cancellationToken);

    /// <summary>This source with known label counts.</summary>
    public BatchSource WithClassCounts(IReadOnlyList<long> classCounts) => new(_epoch, BatchesPerEpoch, classCounts ?? throw new ArgumentNullException(nameof(classCounts)));

    /// <summary>The same in-memory batches every epoch, in the given order.</summary>
    public static BatchSource FromBatches(IReadOnlyList<SequenceBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("Expected at least one batch.", nameof(batches));
        return new BatchSource((_, _) => batches, batches.Count);
    }

    /// <summary>The epochs of a background loader (<see cref="SequenceBatchLoader.ReadEpoch"/>), with its batch count.</summary>
    public static BatchSource FromLoader(SequenceBatchLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return new BatchSource(loader.ReadEpoch, loader.BatchCount);
    }
}
