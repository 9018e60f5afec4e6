using Emotion.Core;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Models;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference;

/// <summary>One-channel (<see cref="ColorOrder.Gray"/>) third-party models and descriptors read from JSON.</summary>
public sealed class GrayModelTests : IDisposable
{
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    private static readonly float[] W = [1.5f, -1f, 0.5f, 2f, -2f, 1f, 0f];

    // input [1, 4, 4, 1] (NHWC, one channel), logits = mean(x) * W.
    private static void SaveNhwcGray(string path)
    {
        var g = new OnnxGraphBuilder("gray_nhwc");
        string x = g.AddInput("x", [1, TinyModels.Size, TinyModels.Size, 1]);
        string m = g.AddNode("ReduceMean", [x], "m", OnnxAttribute.Ints("axes", 1, 2), OnnxAttribute.Int("keepdims", 0)); // [1, 1]
        g.AddOutput(g.AddNode("MatMul", [m, g.AddInitializer("w", W, 1, 7)], "logits"), [1, 7]);
        g.Save(path);
    }

    [Fact]
    public void GrayNhwcModelGetsTheNormalisedLuminance()
    {
        string path = dir.File("gray.onnx");
        SaveNhwcGray(path);
        var normalization = Normalization.MinusOneToOne;
        var descriptor = new OnnxModelDescriptor
        {
            InputName = "x", Layout = OnnxInputLayout.Nhwc, Width = TinyModels.Size, Height = TinyModels.Size, ColorOrder = ColorOrder.Gray,
            Normalization = normalization, CategoryOutput = "logits", Labels = [.. EmotionLabels.Fer2013],
        };
        Assert.Equal(1, descriptor.Channels);
        using var predictor = new EmotionPredictor(path, new EmotionPredictorOptions { IntraOpThreads = 1, Descriptor = descriptor });
        Assert.Equal(TinyModels.Size * TinyModels.Size, predictor.FrameLength);
        using var image = TinyModels.RandomImage(42);
        var rgb = TinyModels.ChannelMeans(image, normalization);
        double gray = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
        var p = TinyModels.Softmax([.. W.Select(w => gray * w)]);
        var prediction = predictor.PredictImages([image])[0];
        EmotionCategory[] fer = [EmotionCategory.Anger, EmotionCategory.Disgust, EmotionCategory.Fear, EmotionCategory.Happiness,
            EmotionCategory.Sadness, EmotionCategory.Surprise, EmotionCategory.Neutral];
        for (int j = 0; j < 7; j++) Assert.Equal(p[j], prediction.Probabilities[(int)fer[j]], 1e-5);
    }

    [Fact]
    public void GrayNeedsOneMeanAndStdForAllColours()
    {
        var descriptor = OnnxModelDescriptor.Fer2013Classifier("x", "y", 4) with { ColorOrder = ColorOrder.Gray, Normalization = Normalization.ImageNet };
        var e = Assert.Throws<ArgumentException>(() => descriptor.Validate());
        Assert.Contains("Gray", e.Message);
    }

    [Fact]
    public void DescriptorJsonRoundTripsAndRejectsInvalidText()
    {
        var descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", 48) with
        {
            ColorOrder = ColorOrder.Gray, Layout = OnnxInputLayout.Nhwc, Valence = new OnnxOutputSlot("va", 0), Arousal = new OnnxOutputSlot("va", 1),
        };
        var back = OnnxModelDescriptor.FromJson(descriptor.ToJson());
        Assert.Equal(descriptor.ToJson(), back.ToJson());
        Assert.Equal(ColorOrder.Gray, back.ColorOrder);
        Assert.Equal(new OnnxOutputSlot("va", 1), back.Arousal);
        Assert.Throws<FormatException>(() => OnnxModelDescriptor.FromJson("{ \"width\": 4 "));
        Assert.Throws<FormatException>(() => OnnxModelDescriptor.FromJson("""{ "inputName": "x", "width": 4, "height": 4 }"""));
    }
}
