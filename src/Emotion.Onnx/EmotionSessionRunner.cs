using Emotion.Core;
using Emotion.Onnx.Models;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// One model on ONNX Runtime, below the entry points: opens the session, derives the <see cref="OnnxModelDescriptor"/>
/// (from the model's metadata, <see cref="OnnxModelMetadata"/>, or the one given), checks the graph against it
/// (<see cref="OnnxGraphBindings"/>), writes frames into 64-byte aligned pinned buffers (<see cref="FrameTensorWriter"/>),
/// runs them as <c>[batch, time]</c> with the recurrent states as inputs (<see cref="OrtValue"/>s made over those buffers,
/// no copy), and decodes the outputs (<see cref="PredictionDecoder"/>). <see cref="EmotionPredictor"/>,
/// <see cref="EmotionStream"/> and <see cref="EmotionStreamGroup"/> all run through it.
/// </summary>
/// <remarks>Thread-safe (ONNX Runtime sessions are; each call rents its own buffers); disposing closes the session.</remarks>
internal sealed class EmotionSessionRunner : IDisposable
{
    private readonly InferenceSession session;
    private readonly OnnxGraphBindings graph;
    private readonly AlignedBufferPool buffers = new(2 * Environment.ProcessorCount);
    private readonly object owner;
    private int disposed;

    /// <summary>Opens <paramref name="modelPath"/> (or the session <paramref name="open"/> gives) with the options' session settings and checks it.</summary>
    /// <param name="modelPath">The model file, or the name of a model held in memory (for messages).</param>
    /// <param name="options">The validated predictor options.</param>
    /// <param name="owner">The object whose disposal ends the runner (for <see cref="ObjectDisposedException"/>).</param>
    /// <param name="open">Opens the session (from the file, or from bytes); null opens <paramref name="modelPath"/>.</param>
    public EmotionSessionRunner(string modelPath, EmotionPredictorOptions options, object owner, Func<EmotionPredictorOptions, InferenceSession>? open = null)
    {
        ModelPath = modelPath;
        Options = options;
        this.owner = owner;
        session = open is null ? OnnxSessionFactory.Open(modelPath, options.SessionSettings(), "ONNX") : open(options);
        try
        {
            Descriptor = options.Descriptor ?? OnnxModelMetadata.Read(modelPath, session);
            graph = OnnxGraphBindings.Check(modelPath, session, Descriptor);
            Decoder = new PredictionDecoder(Descriptor);
            Writer = new FrameTensorWriter(Descriptor, options.ResizeFrames);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A frame writer: preprocesses frame <paramref name="index"/> (0-based) into its slot.</summary>
    public delegate void FrameWrite(int index, Span<float> slot);

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The options in use.</summary>
    public EmotionPredictorOptions Options { get; }

    /// <summary>How the model is fed and read.</summary>
    public OnnxModelDescriptor Descriptor { get; }

    /// <summary>The output decoder.</summary>
    public PredictionDecoder Decoder { get; }

    /// <summary>The frame preprocessor.</summary>
    public FrameTensorWriter Writer { get; }

    /// <summary>Floats per preprocessed frame.</summary>
    public int FrameLength => Writer.FrameLength;

    /// <summary>Whether the model has recurrent-state inputs.</summary>
    public bool IsStateful => graph.StateLengths.Length > 0;

    /// <summary>Each state binding's (layers x directions, hidden) sizes.</summary>
    public long[][] StateDims => graph.StateDims;

    /// <summary>Whether chunks of several sequences can share one run (a time axis and one output row per frame).</summary>
    public bool CanBatchSequences => Descriptor.HasTimeAxis && Descriptor.PerFrameOutputs;

    /// <summary>The buffer pool of the runs (pinned, 64-byte aligned).</summary>
    public AlignedBufferPool Buffers => buffers;

    /// <summary>A zeroed recurrent state for one sequence (one array per state binding).</summary>
    public float[][] NewState() => [.. graph.StateLengths.Select(n => new float[n])];

    /// <summary>Preprocesses one frame into its slot.</summary>
    public void WriteFrame(Image<Rgb24> image, Span<float> destination, string frameName, FaceBox? faceBox) =>
        Writer.Write(image, destination, frameName, faceBox);

    /// <summary>
    /// Predicts <paramref name="count"/> independent frames (each a one-frame sequence), written by <paramref name="write"/>
    /// straight into the run's input buffer, in runs of the model's fixed batch size or
    /// <see cref="EmotionPredictorOptions.MaxFramesPerRun"/>; numbered 1..count.
    /// </summary>
    public void PredictIndependent(int count, FrameWrite write, List<FramePrediction> results)
    {
        ThrowIfDisposed();
        int perRun = graph.FixedBatch > 0 ? graph.FixedBatch : Math.Min(Options.MaxFramesPerRun, Math.Max(count, 1));
        int length = FrameLength;
        float[] buffer = buffers.Rent(perRun * length);
        var memory = AlignedBufferPool.Aligned(buffer, perRun * length);
        int[] numbers = new int[perRun];
        try
        {
            for (int start = 0; start < count; start += perRun)
            {
                int n = Math.Min(perRun, count - start);
                for (int i = 0; i < n; i++)
                {
                    numbers[i] = start + i + 1;
                    write(start + i, memory.Span.Slice(i * length, length));
                }
                RunIndependent(memory[..(n * length)], n, numbers.AsSpan(0, n), results);
            }
        }
        finally
        {
            buffers.Return(buffer);
        }
    }

    /// <summary>
    /// Runs <paramref name="frameCount"/> preprocessed frames (in an aligned buffer) as independent images, in as many runs as
    /// a fixed batch size needs (the last one padded).
    /// </summary>
    public void RunIndependent(Memory<float> frames, int frameCount, ReadOnlySpan<int> frameNumbers, List<FramePrediction> results)
    {
        ThrowIfDisposed();
        if (Descriptor.HasTimeAxis)
        {
            Run(frames, frameCount, 1, null, frameNumbers, results);
            return;
        }
        // Image models: frames are independent (N = frames); a fixed batch size is honoured by padding the last run.
        int perRun = graph.FixedBatch > 0 ? graph.FixedBatch : frameCount;
        int length = FrameLength;
        for (int start = 0; start < frameCount; start += perRun)
        {
            int n = Math.Min(perRun, frameCount - start);
            var slice = frames.Slice(start * length, n * length);
            if (n == perRun)
            {
                Run(slice, perRun, 1, null, frameNumbers.Slice(start, n), results);
                continue;
            }
            float[] buffer = buffers.Rent(perRun * length);
            try
            {
                var padded = AlignedBufferPool.Aligned(buffer, perRun * length);
                slice.Span.CopyTo(padded.Span);
                padded.Span[(n * length)..].Clear();
                int before = results.Count;
                var numbers = new int[perRun];
                frameNumbers.Slice(start, n).CopyTo(numbers);
                Run(padded, perRun, 1, null, numbers, results);
                results.RemoveRange(before + n, perRun - n);
            }
            finally
            {
                buffers.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="frameCount"/> preprocessed frames as the next frames of one sequence, continuing
    /// <paramref name="state"/> (null for a model without state inputs) and updating it. A model without a time axis sees
    /// independent images; a sequence-to-one model runs one frame per call so that each frame gets the output so far.
    /// </summary>
    public void RunSequence(Memory<float> frames, int frameCount, float[][]? state, ReadOnlySpan<int> frameNumbers, List<FramePrediction> results)
    {
        ThrowIfDisposed();
        if (!Descriptor.HasTimeAxis) RunIndependent(frames, frameCount, frameNumbers, results);
        else if (Descriptor.PerFrameOutputs) Run(frames, 1, frameCount, state, frameNumbers, results);
        else
        {
            for (int i = 0; i < frameCount; i++)
                Run(frames.Slice(i * FrameLength, FrameLength), 1, 1, state, frameNumbers.Slice(i, 1), results);
        }
    }

    /// <summary>
    /// One run over <paramref name="batch"/> sequences of <paramref name="time"/> preprocessed frames each
    /// (<c>[batch, time, ...]</c>), continuing <paramref name="stackedState"/> (per binding <c>[S, batch, hidden]</c>, or null
    /// for zero states) and updating it; predictions come out sequence by sequence (for a sequence-to-one model, one per
    /// sequence, numbered by its last frame).
    /// </summary>
    public void RunBatch(Memory<float> frames, int batch, int time, float[][]? stackedState, ReadOnlySpan<int> frameNumbers,
        List<FramePrediction> results)
    {
        ThrowIfDisposed();
        if (!Descriptor.HasTimeAxis) throw new InvalidOperationException("Internal error: a model without a time axis has no sequences to batch.");
        Run(frames, batch, time, stackedState, frameNumbers, results);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> (naming the owner) once disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, owner);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        session.Dispose();
    }

    // One ONNX Runtime run over [batch, time] frames (time = 1 and batch = N for image models).
    private void Run(Memory<float> frames, int batch, int time, float[][]? state, ReadOnlySpan<int> frameNumbers, List<FramePrediction> results)
    {
        var d = Descriptor;
        long[] shape = (d.HasTimeAxis, d.Layout) switch
        {
            (true, OnnxInputLayout.Nchw) => [batch, time, d.Channels, d.Height, d.Width],
            (true, OnnxInputLayout.Nhwc) => [batch, time, d.Height, d.Width, d.Channels],
            (false, OnnxInputLayout.Nchw) => [batch * time, d.Channels, d.Height, d.Width],
            _ => [batch * time, d.Height, d.Width, d.Channels],
        };
        int bindings = graph.StateLengths.Length;
        var inputNames = new string[1 + bindings];
        var inputs = new OrtValue[1 + bindings];
        // A given state holds [S, batch, hidden] per binding (one sequence's state, or the stacked states of a batched run).
        float[][] stateIn = state ?? [.. graph.StateLengths.Select(n => new float[n * batch])];
        try
        {
            inputNames[0] = d.InputName;
            inputs[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, frames, shape);
            for (int s = 0; s < bindings; s++)
            {
                inputNames[1 + s] = d.States[s].InputName;
                inputs[1 + s] = OrtValue.CreateTensorValueFromMemory(stateIn[s], [graph.StateDims[s][0], batch, graph.StateDims[s][1]]);
            }
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, inputs, graph.OutputNames);
            if (d.PerFrameOutputs || time == 1) Decode(outputs, batch * time, frameNumbers, results);
            else
            {
                // One row per sequence, standing for its last frame.
                var last = new int[batch];
                for (int b = 0; b < batch; b++) last[b] = frameNumbers[b * time + time - 1];
                Decode(outputs, batch, last, results);
            }
            if (state is not null)
                for (int s = 0; s < bindings; s++)
                    Output(outputs, d.States[s].OutputName).GetTensorDataAsSpan<float>().CopyTo(state[s]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException(
                $"ONNX Runtime failed to run '{ModelPath}' on input '{d.InputName}' of shape [{string.Join(", ", shape)}]: {e.Message}", e);
        }
        finally
        {
            foreach (var value in inputs) value?.Dispose();
        }
    }

    private void Decode(IReadOnlyList<OrtValue> outputs, int rows, ReadOnlySpan<int> frameNumbers, List<FramePrediction> results)
    {
        var d = Descriptor;
        ReadOnlySpan<float> categories = default, valence = default, arousal = default;
        int categoryWidth = 0, valenceWidth = 0, arousalWidth = 0;
        if (d.CategoryOutput is { } c)
        {
            categories = Rows(outputs, c, rows, out categoryWidth);
            if (categoryWidth != Decoder.LabelCount)
                throw new InvalidOnnxModelException(ModelPath,
                    $"'{ModelPath}': output '{c}' has {categoryWidth} values per frame but the descriptor lists {Decoder.LabelCount} labels ({string.Join(", ", d.Labels)}).");
        }
        if (d.Valence is { } vs) valence = Rows(outputs, vs.OutputName, rows, out valenceWidth);
        if (d.Arousal is { } asl) arousal = Rows(outputs, asl.OutputName, rows, out arousalWidth);
        if (d.Valence is { } v1 && v1.Index >= valenceWidth || d.Arousal is { } a1 && a1.Index >= arousalWidth)
            throw new InvalidOnnxModelException(ModelPath,
                $"'{ModelPath}': valence {d.Valence} / arousal {d.Arousal} are outside their outputs' last axis ({valenceWidth} / {arousalWidth} values).");
        for (int i = 0; i < rows; i++)
        {
            float? v = d.Valence is { } vslot ? valence[i * valenceWidth + vslot.Index] : null;
            float? a = d.Arousal is { } aslot ? arousal[i * arousalWidth + aslot.Index] : null;
            var row = categoryWidth > 0 ? categories.Slice(i * categoryWidth, categoryWidth) : default;
            results.Add(Decoder.Decode(frameNumbers[i], row, v, a));
        }
    }

    private ReadOnlySpan<float> Rows(IReadOnlyList<OrtValue> outputs, string name, int rows, out int width)
    {
        var value = Output(outputs, name);
        var shape = value.GetTensorTypeAndShape().Shape;
        var data = value.GetTensorDataAsSpan<float>();
        width = shape.Length == 0 ? 1 : (int)shape[^1];
        if (width == 0 || data.Length != (long)rows * width)
        {
            string perSequence = data.Length == width || shape.Length >= 2 && shape[^2] == 1
                ? " The model seems to return one row per sequence (sequence-to-one); set OnnxModelDescriptor.PerFrameOutputs to false."
                : "";
            throw new InvalidOnnxModelException(ModelPath,
                $"'{ModelPath}': output '{name}' has shape [{string.Join(", ", shape)}]; expected one row per frame ({rows} frames).{perSequence}");
        }
        return data;
    }

    private OrtValue Output(IReadOnlyList<OrtValue> outputs, string name) => outputs[Array.IndexOf(graph.OutputNames, name)];

}
