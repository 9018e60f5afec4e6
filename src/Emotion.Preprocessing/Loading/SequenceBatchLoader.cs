using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Emotion.Core.Data;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Sequences;
using Emotion.Preprocessing.Transforms;
using Emotion.Core.Faces;

namespace Emotion.Preprocessing.Loading;

/// <summary>
/// Produces <see cref="SequenceBatch"/>es (<c>[B, T, 3, H, W]</c> normalised frames with labels, masks, frame numbers
/// and video ids) from windows on background threads, so that the model does not wait for decoding.
/// </summary>
/// <remarks>
/// <para>Each epoch visits every window once, in an order that is a permutation seeded by (seed, epoch) when
/// shuffling, or the given order otherwise. Batch k holds windows k·B .. k·B+B-1 of that order; the last batch is
/// smaller unless <see cref="SequenceLoaderOptions.DropLast"/>. With <see cref="SequenceLoaderOptions.Stateful"/> the
/// batches follow the epoch's <see cref="LaneSchedule"/> instead (<see cref="Lanes"/>): row b is lane b, and
/// <see cref="SequenceBatch.ContinuesState"/> marks the rows that carry the recurrent state.</para>
/// <para>Batches are prepared by <see cref="SequenceLoaderOptions.Workers"/> tasks (worker w prepares batches
/// w, w+W, ...), each writing to its own bounded channel of <see cref="SequenceLoaderOptions.Prefetch"/> batches; the
/// consumer reads the channels round-robin, so batches arrive in order and the result does not depend on thread
/// scheduling: augmentation is keyed by (seed, epoch, video id, frame number), see <see cref="FrameRandom"/>.</para>
/// <para>Padding positions of a short window have zero pixels, <see cref="SequenceBatch.FrameMask"/> false, category -1
/// and frame number -1.</para>
/// </remarks>
public sealed class SequenceBatchLoader : IDisposable
{
    private readonly SequenceWindow[] _windows;
    private readonly int[]? _segmentFirstNumbers;
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Creates a loader.</summary>
    /// <param name="windows">The windows; all must have the same length.</param>
    /// <param name="pipeline">The frame pipeline (its output size is the batch's H and W).</param>
    /// <param name="options">Batching options (null = defaults).</param>
    /// <exception cref="ArgumentException">No windows, or windows of different lengths.</exception>
    public SequenceBatchLoader(IReadOnlyList<SequenceWindow> windows, FramePipeline pipeline, SequenceLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        Pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        Options = (options ?? new SequenceLoaderOptions()).Validate();
        if (windows.Count == 0) throw new ArgumentException("The loader needs at least one window.", nameof(windows));
        _windows = windows.ToArray();
        SequenceLength = _windows[0].Length;
        foreach (var w in _windows)
            if (w.Length != SequenceLength)
                throw new ArgumentException($"All windows must have the same length; found {SequenceLength} and {w.Length} ({w}).", nameof(windows));
        if (Options.CacheCapacityBytes is { } capacity) Cache = new FrameCache(pipeline, capacity);
        if (Options.Stateful) _segmentFirstNumbers = SegmentFirstNumbers(_windows);
    }

    /// <summary>The evaluation loader of a dataset: non-overlapping windows of <paramref name="sequenceLength"/> frames in
    /// dataset order, padded tails, no augmentation, no shuffle, no dropped batch. Every available frame appears in
    /// exactly one window position, so predictions map back to (video, frame number) via
    /// <see cref="SequenceBatch.VideoIds"/> and <see cref="SequenceBatch.FrameNumbers"/> without deduplication.</summary>
    public static SequenceBatchLoader ForEvaluation(EmotionDataset dataset, FramePipeline pipeline, int sequenceLength, int batchSize, int? workers = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var evalPipeline = pipeline.Options.HasAugmentation ? new FramePipeline(pipeline.Options.WithoutAugmentation()) : pipeline;
        return new SequenceBatchLoader(SequenceWindower.Windows(dataset, WindowOptions.ForEvaluation(sequenceLength)),
            evalPipeline, SequenceLoaderOptions.ForEvaluation(batchSize, workers));
    }

    /// <summary>The frame pipeline.</summary>
    public FramePipeline Pipeline { get; }

    /// <summary>The options.</summary>
    public SequenceLoaderOptions Options { get; }

    /// <summary>The prepared-frame cache, when <see cref="SequenceLoaderOptions.CacheCapacityBytes"/> is set.</summary>
    public FrameCache? Cache { get; }

    /// <summary>The windows, in their given order.</summary>
    public IReadOnlyList<SequenceWindow> Windows => _windows;

    /// <summary>Frames per sequence (T).</summary>
    public int SequenceLength { get; }

    /// <summary>Batches per epoch (the same with and without <see cref="SequenceLoaderOptions.Stateful"/>).</summary>
    public int BatchCount => LaneSchedule.StepCount(_windows.Length, Options.BatchSize, Options.DropLast);

    /// <summary>The lanes of an epoch (stateful loaders only): which window each row of each batch holds and whether it carries the state.</summary>
    /// <exception cref="InvalidOperationException">The loader is not stateful.</exception>
    public LaneSchedule Lanes(int epoch)
    {
        if (!Options.Stateful)
            throw new InvalidOperationException("Lanes exist only for a stateful loader (SequenceLoaderOptions.Stateful); an ordinary loader's batches follow Order(epoch).");
        return LaneSchedule.Create(_windows, Options.BatchSize, epoch, Options.Seed, Options.Shuffle, Options.DropLast);
    }

    /// <summary>The window order of an epoch: indices into <see cref="Windows"/> (a seeded Fisher-Yates permutation when shuffling).</summary>
    public int[] Order(int epoch)
    {
        var order = new int[_windows.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (!Options.Shuffle) return order;
        var random = FrameRandom.For(Options.Seed, epoch, "shuffle", 0);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Prepares every frame of every window into the cache in parallel (no-op without a cache).</summary>
    public void WarmCache(CancellationToken cancellationToken = default) =>
        Cache?.Warm(_windows.SelectMany(w => Enumerable.Range(0, w.ValidCount).Select(w.Frame)).Distinct(ReferenceEqualityComparer.Instance).Cast<VideoFrame>(),
            Options.Workers, cancellationToken);

    /// <summary>Enumerates the batches of an epoch, prepared in the background.</summary>
    /// <param name="epoch">The epoch (0-based; selects the shuffle order and augmentation).</param>
    /// <param name="cancellationToken">Stops the enumeration and the workers.</param>
    /// <exception cref="Frames.FrameDecodeException">A frame could not be decoded (thrown when its batch is reached).</exception>
    public IEnumerable<SequenceBatch> ReadEpoch(int epoch, CancellationToken cancellationToken = default)
    {
        using var run = new EpochRun(this, epoch, cancellationToken);
        for (int b = 0; b < run.BatchCount; b++)
            yield return run.NextAsync(b).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Enumerates the batches of an epoch asynchronously, prepared in the background.</summary>
    /// <param name="epoch">The epoch (0-based).</param>
    /// <param name="cancellationToken">Stops the enumeration and the workers.</param>
    public async IAsyncEnumerable<SequenceBatch> ReadEpochAsync(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var run = new EpochRun(this, epoch, cancellationToken);
        for (int b = 0; b < run.BatchCount; b++)
            yield return await run.NextAsync(b).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds one batch synchronously on the calling thread: the reference the background path must equal.
    /// </summary>
    /// <param name="windows">The windows of the batch (at most any number; B = their count).</param>
    /// <param name="epoch">The epoch (for augmentation).</param>
    public SequenceBatch BuildBatch(IReadOnlyList<SequenceWindow> windows, int epoch)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) throw new ArgumentException("A batch needs at least one window.", nameof(windows));
        var o = Pipeline.Options;
        var batch = new SequenceBatch(windows.Count, SequenceLength, o.Height, o.Width);
        for (int b = 0; b < windows.Count; b++)
            FillSequence(batch, b, windows[b], epoch);
        return batch;
    }

    /// <summary>Stops all background work.</summary>
    public void Dispose()
    {
        if (!_disposed.IsCancellationRequested) _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>The rows of every batch of an epoch: window indices and, for a stateful loader, which rows carry the state.</summary>
    private (int[] Windows, bool[]? Continues)[] Plan(int epoch)
    {
        var plan = new (int[] Windows, bool[]? Continues)[BatchCount];
        if (Options.Stateful)
        {
            var lanes = Lanes(epoch);
            for (int s = 0; s < plan.Length; s++)
            {
                var step = lanes.Steps[s];
                plan[s] = ([.. step.Select(slot => slot.Window)], [.. step.Select(slot => slot.ContinuesState)]);
            }
            return plan;
        }
        var order = Order(epoch);
        for (int k = 0; k < plan.Length; k++)
        {
            int start = k * Options.BatchSize;
            plan[k] = (order[start..Math.Min(start + Options.BatchSize, order.Length)], null);
        }
        return plan;
    }

    private SequenceBatch BuildBatch((int[] Windows, bool[]? Continues) rows, int epoch, CancellationToken token)
    {
        var o = Pipeline.Options;
        var batch = new SequenceBatch(rows.Windows.Length, SequenceLength, o.Height, o.Width);
        for (int b = 0; b < rows.Windows.Length; b++)
        {
            token.ThrowIfCancellationRequested();
            FillSequence(batch, b, _windows[rows.Windows[b]], epoch, _segmentFirstNumbers?[rows.Windows[b]]);
            if (rows.Continues is { } continues) batch.ContinuesState[b] = continues[b];
        }
        return batch;
    }

    /// <summary>For each window, the first frame number of the first window of its run of windows of the same video and segment.</summary>
    private static int[] SegmentFirstNumbers(SequenceWindow[] windows)
    {
        var first = new int[windows.Length];
        for (int i = 0; i < windows.Length; i++)
        {
            bool continues = i > 0 && ReferenceEquals(windows[i].Video, windows[i - 1].Video) && windows[i].Segment == windows[i - 1].Segment;
            first[i] = continues ? first[i - 1] : windows[i].Frame(0).Number;
        }
        return first;
    }

    private void FillSequence(SequenceBatch batch, int b, SequenceWindow window, int epoch, int? augmentationKey = null)
    {
        string videoId = window.Video.Id;
        batch.VideoIds[b] = videoId;
        int firstNumber = augmentationKey ?? window.Frame(0).Number;
        for (int t = 0; t < window.ValidCount; t++)
        {
            var frame = window.Frame(t);
            int i = batch.Index(b, t);
            batch.FrameMask[i] = true;
            batch.FrameNumbers[i] = frame.Number;
            batch.SetLabel(b, t, frame.Label);
            var prepared = Cache is { } cache ? cache.GetOrPrepare(frame) : Pipeline.Prepare(frame.Source, frame.FaceBox);
            var augmentation = Options.Augment
                ? Pipeline.SampleAugmentation(Options.Seed, epoch, videoId, Options.ConsistentAugmentation ? firstNumber : frame.Number)
                : FrameAugmentation.None;
            Pipeline.Write(prepared, augmentation, batch.Frame(b, t));
        }
    }

    /// <summary>The workers and channels of one epoch.</summary>
    private sealed class EpochRun : IDisposable
    {
        private readonly Channel<SequenceBatch>[] _channels;
        private readonly Task[] _workers;
        private readonly CancellationTokenSource _cts;

        public EpochRun(SequenceBatchLoader loader, int epoch, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(loader._disposed.IsCancellationRequested, loader);
            _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, loader._disposed.Token);
            BatchCount = loader.BatchCount;
            var plan = loader.Plan(epoch);
            int workers = Math.Max(1, Math.Min(loader.Options.Workers, BatchCount));
            _channels = new Channel<SequenceBatch>[workers];
            _workers = new Task[workers];
            var token = _cts.Token;
            for (int w = 0; w < workers; w++)
            {
                var channel = Channel.CreateBounded<SequenceBatch>(new BoundedChannelOptions(loader.Options.Prefetch)
                {
                    SingleReader = true,
                    SingleWriter = true,
                    FullMode = BoundedChannelFullMode.Wait,
                });
                _channels[w] = channel;
                int first = w, step = workers, count = BatchCount;
                _workers[w] = Task.Run(async () =>
                {
                    try
                    {
                        for (int b = first; b < count; b += step)
                        {
                            var batch = loader.BuildBatch(plan[b], epoch, token);
                            await channel.Writer.WriteAsync(batch, token).ConfigureAwait(false);
                        }
                        channel.Writer.TryComplete();
                    }
                    catch (Exception ex)
                    {
                        channel.Writer.TryComplete(ex);
                    }
                }, CancellationToken.None);
            }
        }

        public int BatchCount { get; }

        public async ValueTask<SequenceBatch> NextAsync(int batchIndex)
        {
            var reader = _channels[batchIndex % _channels.Length].Reader;
            try
            {
                return await reader.ReadAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (ChannelClosedException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }

        public void Dispose()
        {
            _cts.Cancel();
            try
            {
                Task.WaitAll(_workers);
            }
            catch (AggregateException)
            {
                // Workers report their errors through the channels; cancellation on early exit is expected.
            }
            _cts.Dispose();
        }
    }
}
