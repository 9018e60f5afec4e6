using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Onnx.Smoothing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Testing;

namespace Emotion.Onnx.Video.Tests;

/// <summary>
/// A small recurrent emotion model (small CNN + GRU, 16x16 frames, combined task, random weights) exported once with
/// Emotion.Onnx.Export into a temporary folder shared by the tests of a class.
/// </summary>
public sealed class ExportedModelFixture : IDisposable
{
    /// <summary>The model's frame size.</summary>
    public const int FrameSize = 16;

    public ExportedModelFixture()
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: FrameSize)
            .WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
            .WithRecurrentHead(HeadSpec.Gru(hidden: 8))
            .ForTask(EmotionTask.Combined)
            .WithSeed(11)
            .Build();
        model.eval();
        ModelPath = Path.Combine(Root, "gru.onnx");
        OnnxExporter.Export(model, ModelPath);
    }

    private readonly TempFolder temp = new("emotion-onnx-video-");

    /// <summary>The fixture's temporary folder (deleted on dispose).</summary>
    public string Root => temp.Path;

    /// <summary>The exported ONNX file.</summary>
    public string ModelPath { get; }

    /// <summary>
    /// The predictor under test: frames are cropped and resized by the library, chunks of <paramref name="chunk"/> frames
    /// with the recurrent state carried over.
    /// </summary>
    public EmotionPredictor OpenPredictor(int chunk = 4, PredictionSmootherOptions? smoothing = null) =>
        new(ModelPath, new EmotionPredictorOptions { IntraOpThreads = 1, StreamChunkSize = chunk, ResizeFrames = true, Smoothing = smoothing });

    /// <summary>
    /// The reference predictor: whole sequences in one run (no chunking), frames resized to the model's size (the tests
    /// give it crops they cut out themselves).
    /// </summary>
    public EmotionPredictor OpenReference(PredictionSmootherOptions? smoothing = null) =>
        new(ModelPath, new EmotionPredictorOptions { IntraOpThreads = 1, MaxFramesPerRun = 1000, ResizeFrames = true, Smoothing = smoothing });

    /// <summary>A fresh sub-folder of <see cref="Root"/>.</summary>
    public string NewDir() => temp.Folder(Guid.NewGuid().ToString("N"));

    public void Dispose() => temp.Dispose();
}
