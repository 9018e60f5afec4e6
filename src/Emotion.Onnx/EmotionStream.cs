using System.Runtime.CompilerServices;
using Emotion.Core;
using Emotion.Core.Sequences;
using Emotion.Onnx.Smoothing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// A live or long video processed chunk by chunk: frames are preprocessed as they arrive into one pre-allocated chunk
/// buffer, each full chunk is one ONNX Runtime run, and the recurrent state (<c>h</c>, <c>c</c>) after a chunk is the
/// initial state of the next, so the outputs equal those of one run over the whole video while memory stays flat.
/// For a model without state inputs (<see cref="CarriesState"/> false) chunks are independent. The options' smoothing,
/// if any, is applied on the fly (a centred window delays its outputs by half a window).
/// <para>The gap rule (<see cref="FrameGaps"/>): a frame whose number is not the previous frame's + 1 starts a new sequence.
/// The frames pending before it are run, the smoother is flushed and emptied, and the recurrent state is zeroed, so a stream
/// over frames 1..5 and 9..12 gives exactly what two streams over 1..5 and 9..12 give (smoothing included).</para>
/// </summary>
/// <remarks>
/// Open one with <see cref="EmotionPredictor.OpenStream"/> (or <see cref="EmotionStreamGroup.Open"/>); it runs on the predictor's session runner. A stream is not thread-safe; use one per video. The pixels of
/// a frame are copied when it is pushed, so the caller may dispose or reuse the image right after.
/// </remarks>
public sealed class EmotionStream : IDisposable
{
    private readonly EmotionSessionRunner runner;
    private readonly float[] storage;
    private readonly Memory<float> buffer; // 64-byte aligned, pinned
    private readonly int[] numbers;
    private readonly PredictionSmoother? smoother;
    private readonly List<FramePrediction> raw;
    private float[][] state;
    private int pending;
    private int nextNumber = 1;
    private int? lastNumber;
    private bool disposed;
    private readonly EmotionStreamGroup? group;

    internal EmotionStream(EmotionSessionRunner runner, int chunkSize, EmotionStreamGroup? group = null)
    {
        this.runner = runner;
        this.group = group;
        ChunkSize = chunkSize;
        storage = AlignedBufferPool.Allocate(chunkSize * runner.FrameLength);
        buffer = AlignedBufferPool.Aligned(storage, chunkSize * runner.FrameLength);
        numbers = new int[chunkSize];
        raw = new List<FramePrediction>(chunkSize);
        state = runner.NewState();
        if (runner.Options.Smoothing is { } smoothing) smoother = new PredictionSmoother(smoothing);
    }

    /// <summary>Frames per run.</summary>
    public int ChunkSize { get; }

    /// <summary>Whether the recurrent state is carried from chunk to chunk (the model has state inputs).</summary>
    public bool CarriesState => runner.IsStateful;

    /// <summary>Frames pushed since the stream was opened or reset.</summary>
    public long FrameCount { get; private set; }

    /// <summary>Gaps in the frame numbers met since the stream was opened or reset; each started a new sequence from a zero state.</summary>
    public long GapCount { get; private set; }

    /// <summary>
    /// Adds the next frame; when the chunk is full, runs it and returns its predictions (otherwise an empty list). When the
    /// frame's number does not follow the previous frame's (<see cref="FrameGaps.BreaksSequence"/>), the frames pending
    /// before it are run first and their predictions returned, and the frame starts a new sequence from a zero state.
    /// </summary>
    /// <param name="frame">The RGB face crop (copied; the caller keeps ownership).</param>
    /// <param name="frameNumber">The frame's number, or null for the next one (1, 2, ... by default).</param>
    /// <param name="faceBox">Where the face is in a whole video frame (pixels): the frame is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The frame is not the model's size, no face box is given and resizing is off.</exception>
    public IReadOnlyList<FramePrediction> Push(Image<Rgb24> frame, int? frameNumber = null, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(disposed, this);
        int number = frameNumber ?? nextNumber;
        List<FramePrediction>? before = null;
        // A full chunk left for the group (nobody called RunReady since): run it on its own first.
        if (pending == ChunkSize) before = [.. RunChunk()];
        if (lastNumber is { } previous && FrameGaps.BreaksSequence(previous, number))
        {
            var ended = EndSequence();
            if (before is null) before = ended;
            else before.AddRange(ended);
            GapCount++;
        }
        int length = runner.FrameLength;
        runner.WriteFrame(frame, buffer.Span.Slice(pending * length, length), $"frame {number}", faceBox);
        numbers[pending++] = number;
        nextNumber = number + 1;
        lastNumber = number;
        FrameCount++;
        // In a group a full chunk waits for EmotionStreamGroup.RunReady, which runs the group's full chunks in one call.
        var ready = pending == ChunkSize && group is null ? RunChunk() : [];
        if (before is null) return ready;
        before.AddRange(ready);
        return before;
    }

    /// <summary>Ends the video: runs the frames of the last partial chunk, flushes the smoother and resets the stream.</summary>
    public IReadOnlyList<FramePrediction> Complete()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var results = EndSequence();
        Reset();
        return results;
    }

    /// <summary>Starts a new video: zero state, frame numbers from 1, smoother emptied, pending frames dropped.</summary>
    public void Reset()
    {
        pending = 0;
        nextNumber = 1;
        lastNumber = null;
        FrameCount = 0;
        GapCount = 0;
        state = runner.NewState();
        smoother?.Reset();
    }

    // Ends the current sequence: runs the pending frames, flushes and empties the smoother, zeroes the state.
    private List<FramePrediction> EndSequence()
    {
        var results = new List<FramePrediction>(RunChunk());
        if (smoother is not null) results.AddRange(smoother.Complete()); // Complete empties the smoother
        state = runner.NewState();
        return results;
    }

    /// <summary>Predicts a sequence of frames lazily, chunk by chunk, then <see cref="Complete"/>s the stream.</summary>
    public IEnumerable<FramePrediction> Process(IEnumerable<Image<Rgb24>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return Iterate(frames);

        IEnumerable<FramePrediction> Iterate(IEnumerable<Image<Rgb24>> source)
        {
            foreach (var frame in source)
                foreach (var p in Push(frame)) yield return p;
            foreach (var p in Complete()) yield return p;
        }
    }

    /// <summary>Predicts an asynchronous sequence of frames chunk by chunk, then <see cref="Complete"/>s the stream.</summary>
    public async IAsyncEnumerable<FramePrediction> ProcessAsync(IAsyncEnumerable<Image<Rgb24>> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
            foreach (var p in Push(frame)) yield return p;
        foreach (var p in Complete()) yield return p;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        group?.Remove(this);
    }

    /// <summary>Whether a full chunk waits to be run (only in a group, between a push and the group's run).</summary>
    internal bool HasFullChunk => !disposed && pending == ChunkSize;

    /// <summary>The pending frames, preprocessed ([pending, 3, H, W]).</summary>
    internal ReadOnlySpan<float> PendingFrames => buffer.Span[..(pending * runner.FrameLength)];

    /// <summary>The pending frames' numbers.</summary>
    internal ReadOnlySpan<int> PendingNumbers => numbers.AsSpan(0, pending);

    /// <summary>The recurrent state (one array per state binding), updated in place by a batched run.</summary>
    internal float[][] State => state;

    /// <summary>Runs the pending chunk on its own (what <see cref="Push"/> does outside a group).</summary>
    internal IReadOnlyList<FramePrediction> RunPending() => RunChunk();

    /// <summary>
    /// Takes the predictions of the pending chunk computed by a batched run (the state already updated): empties the chunk
    /// and applies the smoother.
    /// </summary>
    internal IReadOnlyList<FramePrediction> AcceptBatched(IEnumerable<FramePrediction> predictions)
    {
        pending = 0;
        raw.Clear();
        raw.AddRange(predictions);
        return Smooth(raw.Count);
    }

    private IReadOnlyList<FramePrediction> RunChunk()
    {
        if (pending == 0) return [];
        raw.Clear();
        int count = pending;
        pending = 0;
        runner.RunSequence(buffer[..(count * runner.FrameLength)], count, runner.IsStateful ? state : null, numbers.AsSpan(0, count), raw);
        return Smooth(count);
    }

    private IReadOnlyList<FramePrediction> Smooth(int count)
    {
        if (smoother is null) return [.. raw];
        var smoothed = new List<FramePrediction>(count);
        foreach (var p in raw)
            if (smoother.Push(p) is { } ready) smoothed.Add(ready);
        return smoothed;
    }
}
