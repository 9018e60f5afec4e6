using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Emotion.Core;
using Emotion.Onnx.Models;
using Emotion.Preprocessing.Frames;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// Runs an emotion recognition model in ONNX form on ONNX Runtime: from RGB face crops (images, a frame folder, a
/// stream) to per-frame predictions (category probabilities, top category, valence, arousal). The preprocessing (size,
/// normalisation) and the label order come from the model's Emotion.Core metadata, or from an
/// <see cref="OnnxModelDescriptor"/> for a third-party model.
/// </summary>
/// <remarks>
/// <para>One <see cref="InferenceSession"/> is created per predictor and shared: every method is thread-safe (each call
/// rents its own input buffers), so register one predictor per model as a singleton. <see cref="EmotionStream"/>s are
/// single-threaded.</para>
/// <para>Frames of one video (<see cref="PredictSequence"/>, <see cref="PredictFolder"/>, <see cref="PredictStream"/>) are
/// processed in chunks of <see cref="EmotionPredictorOptions.MaxFramesPerRun"/> (or
/// <see cref="EmotionPredictorOptions.StreamChunkSize"/>) with the recurrent state carried from chunk to chunk, which gives
/// the same outputs as one run over the whole video; memory stays flat whatever the length. A model without state inputs
/// sees each chunk independently. Independent images (<see cref="PredictImages"/>) are batched.</para>
/// <para>The gap rule (<see cref="Emotion.Core.Sequences.FrameGaps"/>): where frame numbers skip (a frame folder without the
/// frames in which no face was found), the state is reset, so each run of consecutive frames is a sequence of its own.</para>
/// <para>Frame numbers are 1-based positions in the input unless the source has its own (frame folders).</para>
/// </remarks>
public sealed class EmotionPredictor : IEmotionPredictor, IDisposable
{
    private readonly InferenceSession session;
    private readonly FrameTensorWriter writer;
    private readonly PredictionDecoder decoder;
    private readonly string[] outputNames;
    private readonly int[] stateLengths; // S x hidden per batch element, for each state binding
    private readonly long[][] stateDims; // S, hidden
    private readonly int fixedBatch; // the image input's fixed batch size, or 0 when dynamic
    private readonly AlignedBufferPool buffers = new(2 * Environment.ProcessorCount);
    private int disposed;

    /// <summary>Opens a model file (and tells <paramref name="logger"/> what was opened: model, input, outputs, execution provider).</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="options">Execution provider, threads, batching, smoothing, descriptor (defaults when null).</param>
    /// <param name="logger">Where the predictor reports (null for nowhere); <c>AddEmotionRecognition</c> passes the host's.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not a valid ONNX model, has no Emotion.Core metadata and no
    /// descriptor was given, or does not match its descriptor.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for and is not available.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public EmotionPredictor(string modelPath, EmotionPredictorOptions? options = null, ILogger? logger = null)
        : this(modelPath, (options ?? EmotionPredictorOptions.Default).Validate(), logger, o => OnnxSessionFactory.Open(modelPath, o.SessionSettings(), "ONNX"))
    {
    }

    private EmotionPredictor(string modelPath, EmotionPredictorOptions options, ILogger? logger, Func<EmotionPredictorOptions, InferenceSession> open)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        Options = options;
        ModelPath = modelPath;
        session = open(Options);
        try
        {
            Descriptor = Options.Descriptor ?? ReadDescriptor(modelPath, session);
            (fixedBatch, stateLengths, stateDims, outputNames) = CheckGraph(modelPath, session, Descriptor);
            decoder = new PredictionDecoder(Descriptor);
            writer = new FrameTensorWriter(Descriptor, Options.ResizeFrames);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        logger?.LogInformation(
            "Opened emotion model {ModelPath} ({Description}): {Width}x{Height} {ColorOrder} input, categories [{Categories}], valence/arousal {ValenceArousal}, " +
            "{Recurrence}, on {ExecutionProvider}",
            modelPath, Options.Descriptor is null ? $"Emotion.Core {ModelInfo?.Task} model" : "described by OnnxModelDescriptor",
            FrameWidth, FrameHeight, Descriptor.ColorOrder, string.Join(", ", Categories), PredictsValenceArousal ? "yes" : "no",
            IsStateful ? "state carried across chunks" : "no recurrent state", Options.ExecutionProvider);
    }

    /// <summary>
    /// Opens a model held in memory, without a file: for example the ONNX export of a TorchSharp checkpoint made on the fly
    /// (<c>Emotion.Onnx.Export.CheckpointPredictor</c>). Everything else is as for a file.
    /// </summary>
    /// <param name="model">The serialised ONNX model; ONNX Runtime copies what it needs, so the array may be released afterwards.</param>
    /// <param name="modelName">How the model is named in <see cref="ModelPath"/>, messages and the log (for example
    /// <c>in-memory export of checkpoint 'runs/a'</c>).</param>
    /// <param name="options">Execution provider, threads, batching, smoothing, descriptor (defaults when null).</param>
    /// <param name="logger">Where the predictor reports (null for nowhere).</param>
    /// <exception cref="InvalidOnnxModelException">The bytes are not a valid ONNX model, have no Emotion.Core metadata and
    /// no descriptor was given, or do not match the descriptor.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for and is not available.</exception>
    /// <exception cref="ArgumentException">The bytes are empty or the options are invalid.</exception>
    public static EmotionPredictor FromBytes(byte[] model, string modelName, EmotionPredictorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return new EmotionPredictor(modelName, (options ?? EmotionPredictorOptions.Default).Validate(), logger,
            o => OnnxSessionFactory.Open(model, modelName, o.SessionSettings(), "ONNX"));
    }

    /// <summary>The model file, or for a model opened with <see cref="FromBytes"/> the name it was given.</summary>
    public string ModelPath { get; }

    /// <summary>The options in use.</summary>
    public EmotionPredictorOptions Options { get; }

    /// <summary>How the model is fed and read (derived from its metadata, or the one given in the options).</summary>
    public OnnxModelDescriptor Descriptor { get; }

    /// <summary>The model's description from its metadata, or null for a third-party model.</summary>
    public EmotionModelInfo? ModelInfo => Descriptor.ModelInfo;

    /// <summary>The categories of <see cref="FramePrediction.Probabilities"/> (index i is category i), or empty when the model predicts none.</summary>
    public ImmutableArray<EmotionCategory> Categories => decoder.Categories;

    /// <summary>Whether predictions carry category probabilities.</summary>
    public bool PredictsCategories => Descriptor.CategoryOutput is not null;

    /// <summary>Whether predictions carry valence and arousal.</summary>
    public bool PredictsValenceArousal => Descriptor.Valence is not null;

    /// <summary>Whether the model has recurrent-state inputs, so that chunks of a stream continue each other.</summary>
    public bool IsStateful => stateLengths.Length > 0;

    /// <summary>The input width in pixels.</summary>
    public int FrameWidth => Descriptor.Width;

    /// <summary>The input height in pixels.</summary>
    public int FrameHeight => Descriptor.Height;

    /// <summary>Floats per preprocessed frame (3 x H x W).</summary>
    public int FrameLength => writer.FrameLength;

    /// <summary>
    /// How a frame of <paramref name="width"/> x <paramref name="height"/> pixels, given without a face box, reaches the
    /// model's input size under <see cref="EmotionPredictorOptions.ResizeFrames"/>: as it is, scaled, or stretched. Call it
    /// to report what prediction will do (for example on the first frame of a folder).
    /// </summary>
    /// <param name="width">The frame's width in pixels.</param>
    /// <param name="height">The frame's height in pixels.</param>
    /// <exception cref="ArgumentException">Prediction would refuse frames of this size; the message is the one prediction throws (it names the option to change).</exception>
    public FrameResize CheckFrameSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        return writer.Plan(width, height, "a frame");
    }

    /// <summary>Predicts one image on its own (a one-frame sequence).</summary>
    /// <param name="image">An RGB face crop of the model's size, or any image with <paramref name="faceBox"/>.</param>
    /// <param name="faceBox">Where the face is, in the image's pixels: the image is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The image is not the model's size, no face box is given and resizing is off.</exception>
    public FramePrediction Predict(Image<Rgb24> image, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfDisposed();
        var results = new List<FramePrediction>(1);
        float[] buffer = buffers.Rent(FrameLength);
        try
        {
            var memory = AlignedBufferPool.Aligned(buffer, FrameLength);
            writer.Write(image, memory.Span, "the image", faceBox);
            RunFrames(memory, 1, sequential: false, null, [1], results);
        }
        finally
        {
            buffers.Return(buffer);
        }
        return results[0];
    }

    /// <summary>Predicts independent images (each one a one-frame sequence, no temporal context), batched.</summary>
    /// <returns>One prediction per image, numbered 1, 2, ... in order.</returns>
    /// <exception cref="ArgumentException">An image is not the model's size (and resizing is off); the message names it.</exception>
    public IReadOnlyList<FramePrediction> PredictImages(IReadOnlyList<Image<Rgb24>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        ThrowIfDisposed();
        var results = new List<FramePrediction>(images.Count);
        int perRun = fixedBatch > 0 ? fixedBatch : Options.MaxFramesPerRun;
        int length = FrameLength;
        float[] buffer = buffers.Rent(perRun * length);
        var memory = AlignedBufferPool.Aligned(buffer, perRun * length);
        int[] numbers = new int[perRun];
        try
        {
            for (int start = 0; start < images.Count; start += perRun)
            {
                int n = Math.Min(perRun, images.Count - start);
                for (int i = 0; i < n; i++)
                {
                    numbers[i] = start + i + 1;
                    writer.Write(images[start + i] ?? throw new ArgumentException($"Image {start + i + 1} is null.", nameof(images)),
                        memory.Span.Slice(i * length, length), $"image {start + i + 1}");
                }
                RunFrames(memory[..(n * length)], n, sequential: false, null, numbers.AsSpan(0, n), results);
            }
        }
        finally
        {
            buffers.Return(buffer);
        }
        return results;
    }

    /// <summary>Predicts independent image files (each one a one-frame sequence), batched; files are decoded one run at a time.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FrameDecodeException">A file is not a readable image.</exception>
    public IReadOnlyList<FramePrediction> PredictImageFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var results = new List<FramePrediction>();
        var batch = new List<Image<Rgb24>>();
        try
        {
            foreach (var path in paths)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
                var image = FrameDecoder.Decode(path);
                batch.Add(image);
                writer.CheckSize(image, $"image file '{path}'");
                if (batch.Count == Options.MaxFramesPerRun) Flush();
            }
            Flush();
        }
        finally
        {
            foreach (var image in batch) image.Dispose();
        }
        return results;

        void Flush()
        {
            int offset = results.Count;
            foreach (var p in PredictImages(batch)) results.Add(p with { FrameNumber = p.FrameNumber + offset });
            foreach (var image in batch) image.Dispose();
            batch.Clear();
        }
    }

    /// <summary>
    /// Predicts the frames of one video, in order, with temporal context: chunks of
    /// <see cref="EmotionPredictorOptions.MaxFramesPerRun"/> frames with the recurrent state carried over, then the
    /// options' smoothing (if any).
    /// </summary>
    /// <returns>One prediction per frame, numbered 1, 2, ...</returns>
    public IReadOnlyList<FramePrediction> PredictSequence(IEnumerable<Image<Rgb24>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var stream = OpenStream(Options.MaxFramesPerRun);
        return [.. stream.Process(frames)];
    }

    /// <summary>
    /// Predicts a video's frame folder (Aff-Wild2 <c>cropped_aligned</c> layout: files named by frame number; otherwise
    /// every .jpg/.jpeg/.png in ordinal name order), as <see cref="PredictSequence"/> does; frames are decoded one at a time.
    /// Where the numbers skip, the recurrent state is reset (<see cref="EmotionStream.Push"/>).
    /// </summary>
    /// <returns>One prediction per frame, numbered by the file names (or 1, 2, ... in name order).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded.</exception>
    public IReadOnlyList<FramePrediction> PredictFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var frames = FrameSources.FromFolder(folder);
        if (frames.Count == 0)
        {
            var files = Directory.EnumerateFiles(folder).Where(FrameSources.IsImageFile).Order(StringComparer.Ordinal).ToList();
            frames = FrameSources.FromFiles(files);
        }
        if (frames.Count == 0) throw new InvalidDataException($"Frame folder '{folder}' holds no .jpg, .jpeg or .png frames.");
        using var stream = OpenStream(Options.MaxFramesPerRun);
        var results = new List<FramePrediction>(frames.Count);
        foreach (var frame in frames)
        {
            using var image = frame.Source.Decode();
            results.AddRange(stream.Push(image, frame.Number));
        }
        results.AddRange(stream.Complete());
        return results;
    }

    /// <summary>Predicts a stream of frames of one video lazily (see <see cref="EmotionStream.Process"/>); memory stays flat.</summary>
    public IEnumerable<FramePrediction> PredictStream(IEnumerable<Image<Rgb24>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return Iterate(frames);

        IEnumerable<FramePrediction> Iterate(IEnumerable<Image<Rgb24>> source)
        {
            using var stream = OpenStream();
            foreach (var p in stream.Process(source)) yield return p;
        }
    }

    /// <summary>Predicts an asynchronous stream of frames of one video (a live camera, a decoder) chunk by chunk; memory stays flat.</summary>
    public async IAsyncEnumerable<FramePrediction> PredictStreamAsync(IAsyncEnumerable<Image<Rgb24>> frames,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var stream = OpenStream();
        await foreach (var p in stream.ProcessAsync(frames, cancellationToken).ConfigureAwait(false)) yield return p;
    }

    /// <summary>Opens a stateful stream for one video (live or file), processed in chunks with the recurrent state carried over.</summary>
    /// <param name="chunkSize">Frames per run (default <see cref="EmotionPredictorOptions.StreamChunkSize"/>).</param>
    public EmotionStream OpenStream(int? chunkSize = null)
    {
        ThrowIfDisposed();
        int size = chunkSize ?? Options.StreamChunkSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(chunkSize));
        return new EmotionStream(this, size);
    }

    /// <summary>
    /// Runs already preprocessed frames (normalised, in the descriptor's layout: <c>[B, T, 3, H, W]</c> for Emotion.Core
    /// models) as <paramref name="batchSize"/> independent sequences of <paramref name="sequenceLength"/> frames, each from
    /// a zero state, in one run. No smoothing.
    /// </summary>
    /// <returns><c>B x T</c> predictions in (sequence, frame) order, numbered 1..T within each sequence (for a
    /// sequence-to-one model, <c>B</c> predictions numbered T).</returns>
    /// <exception cref="ArgumentException">The buffer length is not <c>B x T x FrameLength</c>.</exception>
    public IReadOnlyList<FramePrediction> PredictPreprocessed(ReadOnlyMemory<float> frames, int batchSize, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ThrowIfDisposed();
        long expected = (long)batchSize * sequenceLength * FrameLength;
        if (frames.Length != expected)
            throw new ArgumentException(
                $"The buffer holds {frames.Length} floats; {batchSize} x {sequenceLength} frames of {FrameLength} ({Descriptor.Channels} x {FrameHeight} x {FrameWidth}) need {expected}.",
                nameof(frames));
        var numbers = new int[batchSize * sequenceLength];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i % sequenceLength + 1;
        var results = new List<FramePrediction>(numbers.Length);
        float[] buffer = buffers.Rent(frames.Length);
        try
        {
            var memory = AlignedBufferPool.Aligned(buffer, frames.Length);
            frames.Span.CopyTo(memory.Span);
            if (!Descriptor.HasTimeAxis) RunFrames(memory, numbers.Length, sequential: false, null, numbers, results);
            else Run(memory, batchSize, sequenceLength, null, numbers, results);
        }
        finally
        {
            buffers.Return(buffer);
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        session.Dispose();
    }

    /// <summary>Whether chunks of several streams can share one run (a time axis and one output row per frame).</summary>
    internal bool CanBatchStreams => Descriptor.HasTimeAxis && Descriptor.PerFrameOutputs;

    /// <summary>Each state binding's (layers x directions, hidden) sizes.</summary>
    internal long[][] StateDims => stateDims;

    /// <summary>
    /// One run over <paramref name="batch"/> sequences of <paramref name="time"/> preprocessed frames each
    /// (<c>[batch, time, ...]</c>), continuing <paramref name="stackedState"/> (per binding <c>[S, batch, hidden]</c>) and
    /// updating it; predictions come out sequence by sequence.
    /// </summary>
    internal void RunBatch(Memory<float> frames, int batch, int time, float[][]? stackedState, ReadOnlySpan<int> frameNumbers,
        List<FramePrediction> results)
    {
        ThrowIfDisposed();
        if (!CanBatchStreams) throw new InvalidOperationException("Internal error: this model cannot run streams in one batch.");
        Run(frames, batch, time, stackedState, frameNumbers, results);
    }

    /// <summary>A zeroed recurrent state for one sequence (one array per state binding).</summary>
    internal float[][] NewState() => [.. stateLengths.Select(n => new float[n])];

    /// <summary>Preprocesses one frame into its slot.</summary>
    internal void WriteFrame(Image<Rgb24> image, Span<float> destination, int frameNumber, FaceBox? faceBox) =>
        writer.Write(image, destination, $"frame {frameNumber}", faceBox);

    /// <summary>
    /// Runs <paramref name="frameCount"/> preprocessed frames: as one sequence (<paramref name="sequential"/>, continuing
    /// <paramref name="state"/> and updating it) or as independent images, in as many runs as a fixed batch size needs.
    /// </summary>
    internal void RunFrames(Memory<float> frames, int frameCount, bool sequential, float[][]? state, ReadOnlySpan<int> frameNumbers,
        List<FramePrediction> results)
    {
        ThrowIfDisposed();
        if (Descriptor.HasTimeAxis)
        {
            if (!sequential) Run(frames, frameCount, 1, null, frameNumbers, results);
            else if (Descriptor.PerFrameOutputs) Run(frames, 1, frameCount, state, frameNumbers, results);
            else
            {
                // Sequence-to-one: one frame per run with the state carried, so each frame gets the output for the video so far.
                for (int i = 0; i < frameCount; i++)
                    Run(frames.Slice(i * FrameLength, FrameLength), 1, 1, state, frameNumbers.Slice(i, 1), results);
            }
            return;
        }
        // Image models: frames are independent (N = frames); a fixed batch size is honoured by padding the last run.
        int perRun = fixedBatch > 0 ? fixedBatch : frameCount;
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
                Run(padded, perRun, 1, null, PadNumbers(frameNumbers.Slice(start, n), perRun), results);
                results.RemoveRange(before + n, perRun - n);
            }
            finally
            {
                buffers.Return(buffer);
            }
        }
    }

    private static int[] PadNumbers(ReadOnlySpan<int> numbers, int length)
    {
        var padded = new int[length];
        numbers.CopyTo(padded);
        return padded;
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
        int bindings = stateLengths.Length;
        var inputNames = new string[1 + bindings];
        var inputs = new OrtValue[1 + bindings];
        // A given state holds [S, batch, hidden] per binding (one sequence's state, or the stacked states of a batched run).
        float[][] stateIn = state ?? [.. stateLengths.Select(n => new float[n * batch])];
        try
        {
            inputNames[0] = d.InputName;
            inputs[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, frames, shape);
            for (int s = 0; s < bindings; s++)
            {
                inputNames[1 + s] = d.States[s].InputName;
                inputs[1 + s] = OrtValue.CreateTensorValueFromMemory(stateIn[s], [stateDims[s][0], batch, stateDims[s][1]]);
            }
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, inputs, outputNames);
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
            if (categoryWidth != decoder.LabelCount)
                throw new InvalidOnnxModelException(ModelPath,
                    $"'{ModelPath}': output '{c}' has {categoryWidth} values per frame but the descriptor lists {decoder.LabelCount} labels ({string.Join(", ", d.Labels)}).");
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
            results.Add(decoder.Decode(frameNumbers[i], row, v, a));
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

    private OrtValue Output(IReadOnlyList<OrtValue> outputs, string name) => outputs[Array.IndexOf(outputNames, name)];

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);

    private static OnnxModelDescriptor ReadDescriptor(string path, InferenceSession session)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(OnnxMetadataKeys.ModelInfo, out var json) || string.IsNullOrWhiteSpace(json))
            throw new InvalidOnnxModelException(path,
                $"'{path}' has no Emotion.Core metadata (no '{OnnxMetadataKeys.ModelInfo}' entry), so its preprocessing and labels are unknown. " +
                "Models exported by Emotion.Onnx.Export carry it; for a third-party model, describe its input and outputs with an " +
                "OnnxModelDescriptor (EmotionPredictorOptions.Descriptor; see docs/deployment.md).");
        EmotionModelInfo info;
        try
        {
            info = EmotionModelInfo.FromJson(json);
        }
        catch (FormatException e)
        {
            throw new InvalidOnnxModelException(path, $"'{path}' has invalid Emotion.Core metadata '{OnnxMetadataKeys.ModelInfo}': {e.Message}", e);
        }
        bool perFrame = !(metadata.TryGetValue(OnnxMetadataKeys.OutputMode, out var mode) && mode == "sequence");
        return OnnxModelDescriptor.FromModelInfo(info, [.. session.InputMetadata.Keys], [.. session.OutputMetadata.Keys]) with
        {
            PerFrameOutputs = perFrame,
        };
    }

    // Checks that the graph matches the descriptor; returns the fixed batch size, the state sizes and the outputs to fetch.
    private static (int FixedBatch, int[] StateLengths, long[][] StateDims, string[] Outputs) CheckGraph(
        string path, InferenceSession session, OnnxModelDescriptor d)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        string Available(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

        if (!inputs.TryGetValue(d.InputName, out var input))
            throw new InvalidOnnxModelException(path, $"'{path}' has no input '{d.InputName}'; its inputs are {Available(inputs.Keys)}.");
        if (input.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            throw new InvalidOnnxModelException(path, $"'{path}': input '{d.InputName}' is {input.ElementDataType}; expected float32 frames.");
        var dims = input.Dimensions;
        int rank = d.HasTimeAxis ? 5 : 4;
        string expectedShape = (d.HasTimeAxis ? "[batch, time, " : "[batch, ") +
            (d.Layout == OnnxInputLayout.Nchw ? $"{d.Channels}, {d.Height}, {d.Width}]" : $"{d.Height}, {d.Width}, {d.Channels}]");
        int spatial = d.HasTimeAxis ? 2 : 1;
        (int c, int h, int w) = d.Layout == OnnxInputLayout.Nchw ? (spatial, spatial + 1, spatial + 2) : (spatial + 2, spatial, spatial + 1);
        if (dims.Length != rank || !Fits(dims[c], d.Channels) || !Fits(dims[h], d.Height) || !Fits(dims[w], d.Width))
            throw new InvalidOnnxModelException(path,
                $"'{path}': input '{d.InputName}' has shape [{string.Join(", ", dims.Select(x => x < 0 ? "?" : x.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] " +
                $"but the descriptor expects {expectedShape} ({d.Layout}, {(d.HasTimeAxis ? "with" : "without")} a time axis).");
        int fixedBatch = dims[0] > 0 ? dims[0] : 0;
        if (d.HasTimeAxis && fixedBatch > 1)
            throw new InvalidOnnxModelException(path, $"'{path}': input '{d.InputName}' has a fixed batch size {fixedBatch}; sequence models need a dynamic or unit batch axis.");

        var stateNames = new HashSet<string>(d.States.Select(s => s.InputName), StringComparer.Ordinal);
        foreach (var name in inputs.Keys)
        {
            if (name != d.InputName && !stateNames.Contains(name))
                throw new InvalidOnnxModelException(path,
                    $"'{path}' has an input '{name}' the descriptor does not describe (the image input is '{d.InputName}'; state inputs are {Available(stateNames)}).");
        }
        var stateLengths = new int[d.States.Length];
        var stateDims = new long[d.States.Length][];
        for (int s = 0; s < d.States.Length; s++)
        {
            var binding = d.States[s];
            if (!inputs.TryGetValue(binding.InputName, out var stateInput))
                throw new InvalidOnnxModelException(path, $"'{path}' has no state input '{binding.InputName}'; its inputs are {Available(inputs.Keys)}.");
            var sd = stateInput.Dimensions;
            if (sd.Length != 3 || sd[0] <= 0 || sd[2] <= 0)
                throw new InvalidOnnxModelException(path,
                    $"'{path}': state input '{binding.InputName}' has shape [{string.Join(", ", sd)}]; expected [layers x directions, batch, hidden] with fixed first and last sizes.");
            stateDims[s] = [sd[0], sd[2]];
            stateLengths[s] = sd[0] * sd[2];
        }

        var wanted = new List<string>();
        void Want(string? name, string role)
        {
            if (name is null || wanted.Contains(name)) return;
            if (!outputs.ContainsKey(name))
                throw new InvalidOnnxModelException(path, $"'{path}' has no output '{name}' ({role}); its outputs are {Available(outputs.Keys)}.");
            wanted.Add(name);
        }
        Want(d.CategoryOutput, "category output");
        Want(d.Valence?.OutputName, "valence");
        Want(d.Arousal?.OutputName, "arousal");
        foreach (var binding in d.States) Want(binding.OutputName, $"final state for '{binding.InputName}'");
        return (fixedBatch, stateLengths, stateDims, [.. wanted]);

        static bool Fits(int actual, int expected) => actual <= 0 || actual == expected;
    }
}
