using System.Collections.Immutable;
using Emotion.Core;
using Google.Protobuf;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Inference;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Emotion.Onnx.Export;

/// <summary>
/// Predicts the frames of a video with a TorchSharp <see cref="EmotionModel"/> (a training checkpoint) on the engine chosen by
/// <see cref="CheckpointPredictorOptions.Backend"/>: TorchSharp (<see cref="FrameSequencePredictor"/>) or ONNX Runtime on an
/// ONNX export of the model made in memory (no file: <see cref="OnnxExporter.ToModel(EmotionModel, OnnxExportOptions?)"/>
/// serialised to bytes and opened with <see cref="EmotionPredictor.FromBytes"/>). Both run the frames chunk by chunk with the
/// recurrent state carried and reset it where the frame numbers skip (<see cref="Emotion.Core.Sequences.FrameGaps"/>), so
/// they give the same per-frame outputs within float rounding (the tests bound the difference by 1e-4).
/// </summary>
/// <remarks>
/// <para><see cref="InferenceBackend.Auto"/> takes ONNX Runtime when it can (a CPU model that exports and opens), since it is
/// about 2-3x faster than TorchSharp on the CPU (docs/benchmarks.md), and TorchSharp otherwise, saying why in
/// <see cref="FallbackReason"/> (and the log).</para>
/// <para>The export is a snapshot: weights changed after construction are not seen by the ONNX Runtime path. One
/// <see cref="Predict"/> enumeration at a time.</para>
/// </remarks>
public sealed class CheckpointPredictor : IDisposable
{
    private readonly EmotionModel model;
    private readonly bool ownsModel;
    private readonly FrameSequencePredictor? torch;
    private readonly EmotionPredictor? onnx;
    private int disposed;

    /// <summary>Creates a predictor over <paramref name="model"/> (not owned; keep it alive while the predictor is used).</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Backend, chunk size, ONNX Runtime settings (defaults when null).</param>
    /// <param name="logger">Where the predictor reports the backend it chose and why (null for nowhere).</param>
    /// <param name="modelName">How to name the model in messages (for example the checkpoint folder; default: its task).</param>
    /// <exception cref="NotSupportedException"><see cref="InferenceBackend.OnnxRuntime"/> was asked for and the model does not
    /// export to ONNX (the message says why).</exception>
    /// <exception cref="InvalidOnnxModelException"><see cref="InferenceBackend.OnnxRuntime"/> was asked for and ONNX Runtime
    /// refused the exported graph.</exception>
    /// <exception cref="ExecutionProviderUnavailableException"><see cref="InferenceBackend.OnnxRuntime"/> was asked for and no
    /// native ONNX Runtime (or the requested provider) is available.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public CheckpointPredictor(EmotionModel model, CheckpointPredictorOptions? options = null, ILogger? logger = null, string? modelName = null)
        : this(model, ownsModel: false, options, logger, modelName)
    {
    }

    private CheckpointPredictor(EmotionModel model, bool ownsModel, CheckpointPredictorOptions? options, ILogger? logger, string? modelName)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        Options = (options ?? CheckpointPredictorOptions.Default).Validate();
        this.ownsModel = ownsModel;
        string name = DisplayName(model, modelName);
        var onnxOptions = (Options.Onnx ?? EmotionPredictorOptions.Default) with { ResizeFrames = true };

        if (Options.Backend == InferenceBackend.Torch) { }
        else if (Options.Backend == InferenceBackend.Auto && model.Device.type != DeviceType.CPU && onnxOptions.ExecutionProvider == OnnxExecutionProvider.Cpu)
            FallbackReason = $"the model is on {model.Device}, and ONNX Runtime would run it on the CPU";
        else
        {
            try
            {
                onnx = CreateOnnxPredictor(model, onnxOptions, logger, name);
            }
            catch (Exception e) when (Options.Backend == InferenceBackend.Auto && IsUnavailable(e))
            {
                FallbackReason = Describe(e);
            }
        }
        if (onnx is null) torch = new FrameSequencePredictor(model, Options.ChunkSize);
        Backend = onnx is null ? InferenceBackend.Torch : InferenceBackend.OnnxRuntime;
        if (FallbackReason is not null)
            logger?.LogInformation("Predicting with {Model} on TorchSharp, not ONNX Runtime: {Reason}", name, FallbackReason);
        else
            logger?.LogInformation("Predicting with {Model} on {Backend}", name, Backend == InferenceBackend.Torch ? "TorchSharp" : "ONNX Runtime (in-memory export)");
    }

    /// <summary>
    /// Loads a training checkpoint (or a run's output directory, or a saved model folder; see
    /// <see cref="TrainingCheckpoint.LoadModel"/>) on the CPU and creates a predictor that owns the model.
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint or saved model exists there.</exception>
    /// <exception cref="FormatException">The options file is damaged.</exception>
    /// <exception cref="InvalidDataException">The weights file is damaged or truncated.</exception>
    /// <exception cref="NotSupportedException"><see cref="InferenceBackend.OnnxRuntime"/> was asked for and the model does not export.</exception>
    public static CheckpointPredictor Load(string checkpoint, CheckpointPredictorOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        var model = TrainingCheckpoint.LoadModel(checkpoint);
        try
        {
            return new CheckpointPredictor(model, ownsModel: true, options, logger, $"checkpoint {checkpoint}");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Exports <paramref name="model"/> to ONNX in memory (no file) and opens it on ONNX Runtime. The predictor is the
    /// caller's to dispose; it does not depend on the model afterwards.
    /// </summary>
    /// <param name="model">The model (exported in eval mode, left in its mode).</param>
    /// <param name="options">ONNX Runtime settings (defaults when null). Frames are fed as they are unless
    /// <see cref="EmotionPredictorOptions.ResizeFrames"/> says otherwise.</param>
    /// <param name="logger">Where the predictor reports (null for nowhere).</param>
    /// <param name="modelName">How to name the model in messages (default: its task).</param>
    /// <exception cref="NotSupportedException">The model does not export to ONNX (the message says why).</exception>
    /// <exception cref="InvalidOnnxModelException">ONNX Runtime refused the exported graph.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">No native ONNX Runtime, or the requested provider, is available.</exception>
    public static EmotionPredictor CreateOnnxPredictor(EmotionModel model, EmotionPredictorOptions? options = null, ILogger? logger = null, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string name = DisplayName(model, modelName);
        byte[] bytes;
        try
        {
            // No features output: prediction does not read it, and ONNX Runtime would compute and copy it every run.
            bytes = OnnxExporter.ToModel(model, new OnnxExportOptions { Features = false }).ToByteArray();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new NotSupportedException($"{name} cannot run on ONNX Runtime: it does not export to ONNX ({e.Message})", e);
        }
        return EmotionPredictor.FromBytes(bytes, $"in-memory ONNX export of {name}", options, logger);
    }

    /// <summary>The options in use.</summary>
    public CheckpointPredictorOptions Options { get; }

    /// <summary>The engine that runs the predictions: <see cref="InferenceBackend.Torch"/> or <see cref="InferenceBackend.OnnxRuntime"/> (never Auto).</summary>
    public InferenceBackend Backend { get; }

    /// <summary>Why <see cref="InferenceBackend.Auto"/> chose TorchSharp (the export or ONNX Runtime failed, or the model is on a GPU), or null.</summary>
    public string? FallbackReason { get; }

    /// <summary>The model's description (task, categories, frame size).</summary>
    public EmotionModelInfo Info => model.Info;

    /// <summary>The categories of <see cref="FramePrediction.Probabilities"/> (index i is category i), or empty when the model predicts none.</summary>
    public ImmutableArray<EmotionCategory> Categories => model.Info.Task.HasCategories() ? model.Info.Categories : [];

    /// <summary>The ONNX Runtime predictor when <see cref="Backend"/> is <see cref="InferenceBackend.OnnxRuntime"/>, else null.</summary>
    public EmotionPredictor? OnnxPredictor => onnx;

    /// <summary>
    /// Predicts every frame, in order, lazily, chunk by chunk (<see cref="CheckpointPredictorOptions.ChunkSize"/>), with the
    /// recurrent state carried across chunks and reset where the frame numbers skip; frames are decoded one at a time.
    /// </summary>
    /// <returns>One prediction per frame, carrying the frame's number.</returns>
    /// <exception cref="FrameDecodeException">A frame cannot be decoded (the message names it).</exception>
    public IEnumerable<FramePrediction> Predict(IEnumerable<NumberedFrame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return onnx is null ? torch!.Predict(frames, cancellationToken) : PredictOnnx(onnx, frames, cancellationToken);
    }

    private IEnumerable<FramePrediction> PredictOnnx(EmotionPredictor predictor, IEnumerable<NumberedFrame> frames, CancellationToken cancellationToken)
    {
        using var stream = predictor.OpenStream(Options.ChunkSize);
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<FramePrediction> ready;
            using (var image = frame.Source.Decode()) ready = stream.Push(image, frame.Number);
            foreach (var p in ready) yield return p;
        }
        foreach (var p in stream.Complete()) yield return p;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        onnx?.Dispose();
        if (ownsModel) model.Dispose();
    }

    private static bool IsUnavailable(Exception e) =>
        e is NotSupportedException or InvalidOnnxModelException or ExecutionProviderUnavailableException;

    private static string Describe(Exception e) => e switch
    {
        NotSupportedException => e.Message,
        ExecutionProviderUnavailableException => $"ONNX Runtime is not available: {e.Message}",
        _ => $"ONNX Runtime refused the exported model: {e.Message}",
    };

    /// <summary>How a model is named in messages: the given name, or its task.</summary>
    private static string DisplayName(EmotionModel model, string? modelName) => modelName ?? $"TorchSharp {model.Info.Task.ToName()} model";
}
