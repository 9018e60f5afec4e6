using Emotion.Core;

namespace Emotion.Onnx;

/// <summary>
/// Several <see cref="EmotionStream"/>s on one predictor (the faces of one video) whose full chunks run together: after
/// the frames of a video frame have been pushed into the member streams, <see cref="RunReady"/> runs every member whose
/// chunk is full in one ONNX Runtime call (<c>[faces, chunk, 3, H, W]</c>), with the members' recurrent states stacked
/// along the batch axis before the run and unstacked after it. Each member keeps its own state, smoother and gap rule,
/// and gets exactly the predictions it would get on its own.
/// </summary>
/// <remarks>
/// <para>Only chunks of the same length without a reset inside share a run. Both hold by construction: a member's chunk is
/// run when it is full (<see cref="EmotionStream.ChunkSize"/> frames, the same for all members), and a gap in the frame
/// numbers (<see cref="Emotion.Core.Sequences.FrameGaps"/>) or <see cref="EmotionStream.Complete"/> runs the member's
/// partial chunk on its own at once, as an ungrouped stream does. Padding a shorter chunk would feed padding frames through
/// the recurrent state, so it is never done.</para>
/// <para>Models without a time axis, and sequence-to-one models, run each member's chunk on its own, as does every chunk
/// longer than <see cref="EmotionPredictorOptions.MaxFramesPerSharedRun"/> (12 frames by default: larger shared runs were slower
/// than separate ones on the CPU, their activations leaving the caches). With <c>batched: false</c> the group runs every full
/// chunk on its own (the baseline for comparison). Not thread-safe.</para>
/// </remarks>
public sealed class EmotionStreamGroup : IDisposable
{
    private readonly EmotionSessionRunner runner;
    private readonly List<EmotionStream> members = [];
    private readonly List<EmotionStream> ready = [];
    private readonly List<FramePrediction> results = [];
    private float[] storage = [];
    private Memory<float> frames;
    private int capacity;
    private bool disposed;

    /// <summary>Creates an empty group.</summary>
    /// <param name="predictor">The predictor the members run on (not owned).</param>
    /// <param name="chunkSize">Frames per run of every member (default <see cref="EmotionPredictorOptions.StreamChunkSize"/>).</param>
    /// <param name="batched">Whether full chunks of several members share one run (true), or each runs on its own.</param>
    public EmotionStreamGroup(EmotionPredictor predictor, int? chunkSize = null, bool batched = true)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        runner = predictor.Runner;
        ChunkSize = chunkSize ?? runner.Options.StreamChunkSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1, nameof(chunkSize));
        Batched = batched;
    }

    /// <summary>Frames per run of every member.</summary>
    public int ChunkSize { get; }

    /// <summary>Whether full chunks of several members share one run.</summary>
    public bool Batched { get; }

    /// <summary>Most chunks per run: <see cref="EmotionPredictorOptions.MaxFramesPerSharedRun"/> frames (at most
    /// <see cref="EmotionPredictorOptions.MaxFramesPerRun"/>), at least one chunk. With one, every chunk runs on its own.</summary>
    public int MaxChunksPerRun => Math.Max(1, Math.Min(runner.Options.MaxFramesPerSharedRun, runner.Options.MaxFramesPerRun) / ChunkSize);

    /// <summary>ONNX Runtime calls made by <see cref="RunReady"/> so far.</summary>
    public long RunCount { get; private set; }

    /// <summary>
    /// Opens a member stream. Its <see cref="EmotionStream.Push"/> keeps a full chunk pending (it returns only what a gap
    /// flushes) until <see cref="RunReady"/>; disposing it leaves the group.
    /// </summary>
    public EmotionStream Open()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var stream = new EmotionStream(runner, ChunkSize, this);
        members.Add(stream);
        return stream;
    }

    /// <summary>
    /// Runs the full chunks of the members, several in one call where the model allows it, and returns each member's new
    /// predictions (after its smoothing), in the order the members were opened. Members without a full chunk are left out.
    /// </summary>
    public IReadOnlyList<(EmotionStream Stream, IReadOnlyList<FramePrediction> Predictions)> RunReady()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ready.Clear();
        foreach (var member in members)
            if (member.HasFullChunk) ready.Add(member);
        var output = new List<(EmotionStream, IReadOnlyList<FramePrediction>)>(ready.Count);
        if (ready.Count == 0) return output;
        if (!Batched || !runner.CanBatchSequences || ready.Count == 1 || MaxChunksPerRun == 1)
        {
            foreach (var member in ready)
            {
                output.Add((member, member.RunPending()));
                RunCount++;
            }
            return output;
        }
        for (int start = 0; start < ready.Count; start += MaxChunksPerRun)
            RunTogether(ready.GetRange(start, Math.Min(MaxChunksPerRun, ready.Count - start)), output);
        return output;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var member in members.ToList()) member.Dispose();
        members.Clear();
    }

    internal void Remove(EmotionStream stream) => members.Remove(stream);

    // One call over the chunks of `batch` (all ChunkSize frames long, none with a reset inside).
    private void RunTogether(List<EmotionStream> batch, List<(EmotionStream, IReadOnlyList<FramePrediction>)> output)
    {
        int b = batch.Count, t = ChunkSize, length = runner.FrameLength;
        int chunkFloats = t * length;
        if (capacity < b * chunkFloats)
        {
            capacity = b * chunkFloats;
            storage = AlignedBufferPool.Allocate(b * chunkFloats);
            frames = AlignedBufferPool.Aligned(storage, b * chunkFloats);
        }
        var numbers = new int[b * t];
        for (int i = 0; i < b; i++)
        {
            batch[i].PendingFrames.CopyTo(frames.Span.Slice(i * chunkFloats, chunkFloats));
            batch[i].PendingNumbers.CopyTo(numbers.AsSpan(i * t, t));
        }
        var dims = runner.StateDims;
        float[][]? stacked = runner.IsStateful ? Stack(batch, dims) : null;
        results.Clear();
        runner.RunBatch(frames[..(b * chunkFloats)], b, t, stacked, numbers, results);
        RunCount++;
        if (stacked is not null) Unstack(stacked, batch, dims);
        for (int i = 0; i < b; i++)
            output.Add((batch[i], batch[i].AcceptBatched(results.GetRange(i * t, t))));
    }

    // Per binding, the members' [S, hidden] states side by side as [S, members, hidden].
    private static float[][] Stack(List<EmotionStream> batch, long[][] dims)
    {
        int b = batch.Count;
        var stacked = new float[dims.Length][];
        for (int s = 0; s < dims.Length; s++)
        {
            int layers = (int)dims[s][0], hidden = (int)dims[s][1];
            stacked[s] = new float[layers * b * hidden];
            for (int i = 0; i < b; i++)
            {
                var own = batch[i].State[s];
                for (int l = 0; l < layers; l++)
                    own.AsSpan(l * hidden, hidden).CopyTo(stacked[s].AsSpan((l * b + i) * hidden, hidden));
            }
        }
        return stacked;
    }

    private static void Unstack(float[][] stacked, List<EmotionStream> batch, long[][] dims)
    {
        int b = batch.Count;
        for (int s = 0; s < dims.Length; s++)
        {
            int layers = (int)dims[s][0], hidden = (int)dims[s][1];
            for (int i = 0; i < b; i++)
            {
                var own = batch[i].State[s];
                for (int l = 0; l < layers; l++)
                    stacked[s].AsSpan((l * b + i) * hidden, hidden).CopyTo(own.AsSpan(l * hidden, hidden));
            }
        }
    }
}
