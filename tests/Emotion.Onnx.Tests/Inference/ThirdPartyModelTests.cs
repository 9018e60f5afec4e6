using Emotion.Core;
using Emotion.Onnx.Models;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference;

public sealed class ThirdPartyModelTests : IDisposable
{
    private static readonly EmotionPredictorOptions OneThread = new() { IntraOpThreads = 1 };
    private static readonly string[] FerPlusContempt = [.. EmotionLabels.Fer2013, "contempt"];
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Fer2013OrderedNchwClassifierMapsLabelsToCategories()
    {
        string path = dir.File("fer.onnx");
        TinyModels.SaveNchwClassifier(path);
        var descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", size: 4);
        using var predictor = new EmotionPredictor(path, OneThread with { Descriptor = descriptor, MaxFramesPerRun = 2 });
        Assert.Equal(EmotionCategories.Basic.ToArray(), predictor.Categories.ToArray());
        var images = Enumerable.Range(0, 5).Select(s => TinyModels.RandomImage(s + 300)).ToArray();
        try
        {
            var predictions = predictor.PredictImages(images);
            for (int i = 0; i < images.Length; i++)
            {
                // Model index j is FER-2013 label j; expected probability of category c is softmax_j where label j maps to c.
                var softmax = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(images[i], Normalization.ZeroToOne)));
                EmotionCategory[] fer = [EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear, EmotionCategory.Happiness,
                    EmotionCategory.Sadness, EmotionCategory.Surprise, EmotionCategory.Neutral];
                for (int j = 0; j < 7; j++) Assert.Equal(softmax[j], predictions[i].Probabilities[(int)fer[j]], 1e-5);
                Assert.Equal(fer[Array.IndexOf(softmax, softmax.Max())], predictions[i].Category);
                Assert.Null(predictions[i].Valence);
            }
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void NhwcBgrModelWithFixedBatchAndAnUnknownLabel(int batch)
    {
        var random = new Random(11);
        float[] w8 = [.. Enumerable.Range(0, 24).Select(_ => (float)(random.NextDouble() - 0.5) * 0.04f)];
        float[] b8 = [.. Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5))];
        string path = dir.File("keras.onnx");
        TinyModels.SaveNhwcClassifier(path, w8, b8, batch);
        var descriptor = new OnnxModelDescriptor
        {
            InputName = "input_1",
            Layout = OnnxInputLayout.Nhwc,
            Width = 4,
            Height = 4,
            ColorOrder = ColorOrder.Bgr,
            Normalization = new Normalization(new Rgb(0, 0, 0), new Rgb(1 / 255f, 1 / 255f, 1 / 255f)), // raw 0..255
            CategoryOutput = "scores",
            CategoryOutputKind = CategoryOutputKind.Probabilities,
            Labels = [.. FerPlusContempt],
        };
        using var predictor = new EmotionPredictor(path, OneThread with { Descriptor = descriptor });
        var images = Enumerable.Range(0, 3).Select(s => TinyModels.RandomImage(s + 500)).ToArray();
        try
        {
            var predictions = predictor.PredictImages(images);
            var streamed = predictor.PredictSequence(images); // image models see the frames independently
            Assert.Equal(3, predictions.Count);
            for (int i = 0; i < images.Length; i++)
            {
                var rgb = TinyModels.ChannelMeans(images[i], descriptor.Normalization);
                double[] m = [rgb[2], rgb[1], rgb[0]]; // the model sees B, G, R
                var z = new double[8];
                for (int k = 0; k < 8; k++) z[k] = b8[k] + m[0] * w8[k] + m[1] * w8[8 + k] + m[2] * w8[16 + k];
                var p = TinyModels.Softmax(z);
                double kept = 1 - p[7]; // contempt is dropped, the rest renormalised
                EmotionCategory[] fer = [EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear, EmotionCategory.Happiness,
                    EmotionCategory.Sadness, EmotionCategory.Surprise, EmotionCategory.Neutral];
                for (int j = 0; j < 7; j++)
                {
                    Assert.Equal(p[j] / kept, predictions[i].Probabilities[(int)fer[j]], 1e-5);
                    Assert.Equal(predictions[i].Probabilities[(int)fer[j]], streamed[i].Probabilities[(int)fer[j]], 1e-6);
                }
                Assert.Equal(1.0, predictions[i].Probabilities.Sum(), 1e-5);
            }
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Theory]
    [InlineData("Happy", EmotionCategory.Happiness)]
    [InlineData(" angry ", EmotionCategory.Anger)]
    [InlineData("SURPRISED", EmotionCategory.Surprise)]
    [InlineData("fearful", EmotionCategory.Fear)]
    [InlineData("neutral", EmotionCategory.Neutral)]
    [InlineData("disgusted", EmotionCategory.Disgust)]
    [InlineData("sad", EmotionCategory.Sadness)]
    public void LabelSynonymsMapToCategories(string label, EmotionCategory expected)
    {
        Assert.True(EmotionLabels.TryMap(label, out var category));
        Assert.Equal(expected, category);
    }

    [Fact]
    public void UnknownLabelsAreNotMappedUnlessAliased()
    {
        Assert.False(EmotionLabels.TryMap("contempt", out _));
        Assert.True(EmotionLabels.TryMap("contempt", out var c, new Dictionary<string, EmotionCategory> { ["Contempt"] = EmotionCategory.Disgust }));
        Assert.Equal(EmotionCategory.Disgust, c);
    }
}
