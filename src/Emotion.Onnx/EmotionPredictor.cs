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
    private readonly EmotionSessionRunner runner;

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
        runner = new EmotionSessionRunner(modelPath, Options, this, open);
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
    public OnnxModelDescriptor Descriptor => runner.Descriptor;

    /// <summary>The model's description from its metadata, or null for a third-party model.</summary>
    public EmotionModelInfo? ModelInfo => Descriptor.ModelInfo;

    /// <summary>The categories of <see cref="FramePrediction.Probabilities"/> (index i is category i), or empty when the model predicts none.</summary>
    public ImmutableArray<EmotionCategory> Categories => runner.Decoder.Categories;

    /// <summary>Whether predictions carry category probabilities.</summary>
    public bool PredictsCategories => Descriptor.CategoryOutput is not null;

    /// <summary>Whether predictions carry valence and arousal.</summary>
    public bool PredictsValenceArousal => Descriptor.Valence is not null;

    /// <summary>Whether the model has recurrent-state inputs, so that chunks of a stream continue each other.</summary>
    public bool IsStateful => runner.IsStateful;

    /// <summary>The input width in pixels.</summary>
    public int FrameWidth => Descriptor.Width;

    /// <summary>The input height in pixels.</summary>
    public int FrameHeight => Descriptor.Height;

    /// <summary>Floats per preprocessed frame (3 x H x W).</summary>
    public int FrameLength => runner.FrameLength;

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
        return runner.Writer.Plan(width, height, "a frame");
    }

    /// <summary>Predicts one image on its own (a one-frame sequence).</summary>
    /// <param name="image">An RGB face crop of the model's size, or any image with <paramref name="faceBox"/>.</param>
    /// <param name="faceBox">Where the face is, in the image's pixels: the image is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The image is not the model's size, no face box is given and resizing is off.</exception>
    public FramePrediction Predict(Image<Rgb24> image, FaceBox? faceBox = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var results = new List<FramePrediction>(1);
        runner.PredictIndependent(1, (_, slot) => runner.WriteFrame(image, slot, "the image", faceBox), results);
        return results[0];
    }

    /// <summary>
    /// Predicts several faces of one image (each a one-frame sequence) in one ONNX Runtime run (or as few as
    /// <see cref="EmotionPredictorOptions.MaxFramesPerRun"/> allows): each face is cropped to its box and resized into its
    /// slot of the batch. The predictions equal those of <see cref="Predict"/> on each face (up to float rounding of a
    /// batched run).
    /// </summary>
    /// <param name="image">The whole image.</param>
    /// <param name="faces">The face boxes, in the image's pixels.</param>
    /// <returns>One prediction per face, in order, numbered 1, 2, ...</returns>
    /// <exception cref="ArgumentException">A face box does not overlap the image or is empty.</exception>
    public IReadOnlyList<FramePrediction> PredictFaces(Image<Rgb24> image, IReadOnlyList<FaceBox> faces)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        var results = new List<FramePrediction>(faces.Count);
        if (faces.Count == 0)
        {
            runner.ThrowIfDisposed();
            return results;
        }
        runner.PredictIndependent(faces.Count, (i, slot) => runner.WriteFrame(image, slot, $"face {i + 1}", faces[i]), results);
        return results;
    }

    /// <summary>Predicts independent images (each one a one-frame sequence, no temporal context), batched.</summary>
    /// <returns>One prediction per image, numbered 1, 2, ... in order.</returns>
    /// <exception cref="ArgumentException">An image is not the model's size (and resizing is off); the message names it.</exception>
    public IReadOnlyList<FramePrediction> PredictImages(IReadOnlyList<Image<Rgb24>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var results = new List<FramePrediction>(images.Count);
        runner.PredictIndependent(images.Count, (i, slot) => runner.WriteFrame(
            images[i] ?? throw new ArgumentException($"Image {i + 1} is null.", nameof(images)), slot, $"image {i + 1}", null), results);
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
                runner.Writer.CheckSize(image, $"image file '{path}'");
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
        runner.ThrowIfDisposed();
        int size = chunkSize ?? Options.StreamChunkSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(chunkSize));
        return new EmotionStream(runner, size);
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
        runner.ThrowIfDisposed();
        long expected = (long)batchSize * sequenceLength * FrameLength;
        if (frames.Length != expected)
            throw new ArgumentException(
                $"The buffer holds {frames.Length} floats; {batchSize} x {sequenceLength} frames of {FrameLength} ({Descriptor.Channels} x {FrameHeight} x {FrameWidth}) need {expected}.",
                nameof(frames));
        var numbers = new int[batchSize * sequenceLength];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i % sequenceLength + 1;
        var results = new List<FramePrediction>(numbers.Length);
        float[] buffer = runner.Buffers.Rent(frames.Length);
        try
        {
            var memory = AlignedBufferPool.Aligned(buffer, frames.Length);
            frames.Span.CopyTo(memory.Span);
            if (!Descriptor.HasTimeAxis) runner.RunIndependent(memory, numbers.Length, numbers, results);
            else runner.RunBatch(memory, batchSize, sequenceLength, null, numbers, results);
        }
        finally
        {
            runner.Buffers.Return(buffer);
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose() => runner.Dispose();

    /// <summary>The session runner under this predictor (shared with its streams and stream groups).</summary>
    internal EmotionSessionRunner Runner => runner;
}
