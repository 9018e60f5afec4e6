using System.Collections.Concurrent;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Transforms;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Loading;

/// <summary>
/// An in-memory cache of prepared frames (decoded, face-cropped and resized, as 8-bit RGB bytes) for datasets that
/// fit in memory, so that after the first epoch (or <see cref="Warm"/>) no frame is decoded again and the remaining
/// per-frame work is the single byte-to-float pass. Random crop, flip and colour jitter are applied after the cache,
/// so augmentation still differs per epoch. Thread-safe; frames are keyed by <see cref="VideoFrame"/> reference.
/// </summary>
public sealed class FrameCache
{
    private readonly ConcurrentDictionary<VideoFrame, RgbFrame> _frames = new(ReferenceEqualityComparer.Instance);
    private long _bytes;

    /// <summary>Creates an empty cache for a pipeline's geometry.</summary>
    /// <param name="pipeline">The pipeline whose <see cref="FramePipeline.Prepare(Frames.IFrameSource, FaceBox?)"/> fills the cache.</param>
    /// <param name="capacityBytes">The most bytes of pixels kept; frames beyond are prepared on every use, not cached.</param>
    public FrameCache(FramePipeline pipeline, long capacityBytes = 1L << 30)
    {
        Pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The pipeline used to prepare frames.</summary>
    public FramePipeline Pipeline { get; }

    /// <summary>The capacity in bytes.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes of pixels held.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Frames held.</summary>
    public int Count => _frames.Count;

    /// <summary>Returns the cached prepared frame, preparing (and caching, while there is room) it on a miss.</summary>
    /// <exception cref="Frames.FrameDecodeException">The frame cannot be decoded.</exception>
    public RgbFrame GetOrPrepare(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_frames.TryGetValue(frame, out var cached)) return cached;
        var prepared = Pipeline.Prepare(frame.Source, frame.FaceBox);
        long size = prepared.Pixels.Length;
        if (Interlocked.Add(ref _bytes, size) <= CapacityBytes)
        {
            if (!_frames.TryAdd(frame, prepared)) Interlocked.Add(ref _bytes, -size);
        }
        else
        {
            Interlocked.Add(ref _bytes, -size);
        }
        return prepared;
    }

    /// <summary>Prepares the given frames in parallel so that training never waits for decoding.</summary>
    /// <param name="frames">The frames to cache.</param>
    /// <param name="degreeOfParallelism">Threads to use (default: all processors).</param>
    /// <param name="cancellationToken">Stops warming.</param>
    public void Warm(IEnumerable<VideoFrame> frames, int? degreeOfParallelism = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        Parallel.ForEach(frames,
            new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = cancellationToken },
            f => GetOrPrepare(f));
    }

    /// <summary>Drops every cached frame.</summary>
    public void Clear()
    {
        _frames.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }
}
