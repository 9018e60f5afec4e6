using Emotion.Core;
using Emotion.Onnx.Export;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference;

/// <summary>
/// A real EmotionModel exported by Emotion.Onnx.Export and run through the predictor's whole path (metadata, preprocessing,
/// chunked state carrying, softmax, category mapping) agrees with TorchSharp run on the whole sequence at once.
/// </summary>
public sealed class EndToEndExportTests : IDisposable
{
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    public void PredictorMatchesTorchSharpOnAnExportedModel(string head)
    {
        using var model = EmotionModel.Create()
            .WithInput(frames: 4, size: 16)
            .WithBackbone(BackboneSpec.Named(BackboneNames.SmallCnn))
            .WithRecurrentHead(head == "gru" ? HeadSpec.Gru(hidden: 8) : HeadSpec.Lstm(hidden: 8, layers: 2))
            .ForTask(EmotionTask.Combined)
            .WithSeed(5)
            .Build();
        model.eval();
        string path = dir.File($"{head}.onnx");
        OnnxExporter.Export(model, path);

        int size = model.Info.FrameSize, frames = 7;
        var images = Enumerable.Range(0, frames).Select(s => TinyModels.RandomImage(s + 700, size, size)).ToArray();
        try
        {
            using var predictor = new EmotionPredictor(path, new EmotionPredictorOptions { IntraOpThreads = 1, MaxFramesPerRun = 3 });
            Assert.True(predictor.IsStateful);
            Assert.Equal(model.Info.Normalization, predictor.Descriptor.Normalization);
            var predictions = predictor.PredictSequence(images); // chunks of 3, 3, 1 with the state carried

            // TorchSharp on the whole sequence, preprocessed by Emotion.Preprocessing with the model's own settings.
            var pipeline = new FramePipeline(new FrameTransformOptions { Width = size, Height = size, Normalization = model.Info.Normalization });
            var data = new float[frames * pipeline.FrameLength];
            for (int t = 0; t < frames; t++) pipeline.ProcessForEvaluation(images[t], data.AsSpan(t * pipeline.FrameLength, pipeline.FrameLength));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var output = model.Forward(tensor(data).reshape(1, frames, 3, size, size), null);
            float[] probabilities = output.Logits!.softmax(-1).data<float>().ToArray();
            float[] va = output.ValenceArousal!.data<float>().ToArray();
            int classes = model.Info.Categories.Length;
            for (int t = 0; t < frames; t++)
            {
                for (int k = 0; k < classes; k++)
                    Assert.Equal(probabilities[t * classes + k], predictions[t].Probabilities[(int)model.Info.Categories[k]], 1e-4);
                Assert.Equal(va[t * 2], predictions[t].Valence!.Value, 1e-4);
                Assert.Equal(va[t * 2 + 1], predictions[t].Arousal!.Value, 1e-4);
            }
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }
}
