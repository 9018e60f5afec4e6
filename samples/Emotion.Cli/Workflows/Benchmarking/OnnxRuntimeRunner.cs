using Emotion.Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>
/// Runs an ONNX model with <see cref="EmotionPredictor"/>: <c>B x T</c> preprocessed frames per call through
/// <see cref="EmotionPredictor.PredictPreprocessed"/> (<see cref="InferenceMode.Batch"/>), or one RGB frame per call pushed into an
/// <see cref="EmotionStream"/> with chunks of one frame, which converts the pixels and carries the recurrent state
/// (<see cref="InferenceMode.Stream"/>).
/// </summary>
public sealed class OnnxRuntimeRunner : IInferenceRunner
{
    private readonly EmotionPredictor predictor;
    private readonly float[] frames = [];
    private readonly EmotionStream? stream;
    private readonly Image<Rgb24>? image;

    /// <summary>Opens the model.</summary>
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="device">CPU or CUDA (the CUDA execution provider).</param>
    /// <param name="mode">Batch or stream.</param>
    /// <param name="batchSize">Sequences per call (batch mode).</param>
    /// <param name="sequenceLength">Frames per sequence (batch mode).</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (0 = its default).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOnnxModelException">The file is not a usable model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for and its provider does not load.</exception>
    public OnnxRuntimeRunner(string modelPath, BenchmarkDevice device, InferenceMode mode, int batchSize = 1, int sequenceLength = 1, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        Device = device;
        Mode = mode;
        (BatchSize, SequenceLength) = mode == InferenceMode.Stream ? (1, 1) : (batchSize, sequenceLength);
        predictor = new EmotionPredictor(modelPath, new EmotionPredictorOptions
        {
            ExecutionProvider = device == BenchmarkDevice.Cuda ? OnnxExecutionProvider.Cuda : OnnxExecutionProvider.Cpu,
            IntraOpThreads = threads,
            MaxFramesPerRun = BatchSize * SequenceLength,
            StreamChunkSize = 1,
        });
        try
        {
            var random = new Random(0);
            if (mode == InferenceMode.Stream)
            {
                var pixels = new byte[predictor.FrameWidth * predictor.FrameHeight * 3];
                random.NextBytes(pixels);
                image = Image.LoadPixelData<Rgb24>(pixels, predictor.FrameWidth, predictor.FrameHeight);
                stream = predictor.OpenStream(1);
            }
            else
            {
                frames = new float[BatchSize * SequenceLength * predictor.FrameLength];
                for (int i = 0; i < frames.Length; i++) frames[i] = (float)(random.NextDouble() * 2 - 1);
            }
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Backend => BackendNames.OnnxRuntime;

    /// <inheritdoc />
    public BenchmarkDevice Device { get; }

    /// <inheritdoc />
    public InferenceMode Mode { get; }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <inheritdoc />
    public int SequenceLength { get; }

    /// <inheritdoc />
    public float Run()
    {
        var predictions = stream is null ? predictor.PredictPreprocessed(frames, BatchSize, SequenceLength) : stream.Push(image!);
        if (predictions.Count == 0) throw new InvalidOperationException("The model returned no prediction.");
        var p = predictions[0];
        return p.Probabilities.IsDefaultOrEmpty ? p.Valence ?? 0 : p.Probabilities[0];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        stream?.Dispose();
        image?.Dispose();
        predictor.Dispose();
    }
}
