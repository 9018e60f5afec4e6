using Emotion.Core;
using Emotion.Onnx.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Onnx.Tests.Inference;

public sealed class BadInputTests : IDisposable
{
    private static readonly EmotionPredictorOptions OneThread = new() { IntraOpThreads = 1 };
    private readonly TempFolder dir = new("emotion-onnx-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void TruncatedModelNamesTheFileAndSaysItIsNotValidOnnx()
    {
        string valid = dir.File("valid.onnx");
        TinyModels.SaveLinear(valid);
        byte[] bytes = File.ReadAllBytes(valid);
        string truncated = dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(truncated, OneThread));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("not a valid ONNX model", e.Message);
        Assert.Equal(truncated, e.ModelPath);
    }

    [Fact]
    public void RandomBytesAreNotAValidModel()
    {
        string path = dir.File("random.onnx");
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread));
        Assert.Contains(path, e.Message);
        Assert.Contains("not a valid ONNX model", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        string path = dir.File("missing.onnx");
        var e = Assert.Throws<FileNotFoundException>(() => new EmotionPredictor(path, OneThread));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ModelWithoutMetadataPointsToTheDescriptor()
    {
        string path = dir.File("plain.onnx");
        TinyModels.SaveLinear(path, metadata: false);
        var e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread));
        Assert.Contains(path, e.Message);
        Assert.Contains("no Emotion.Core metadata", e.Message);
        Assert.Contains(nameof(OnnxModelDescriptor), e.Message);

        // With a descriptor the same file runs.
        var descriptor = new OnnxModelDescriptor
        {
            HasTimeAxis = true,
            Width = 4,
            Height = 4,
            Normalization = Normalization.ImageNet,
            CategoryOutput = "logits",
            Labels = [.. EmotionCategories.Basic.Select(c => c.ToName())],
        };
        using var predictor = new EmotionPredictor(path, OneThread with { Descriptor = descriptor });
        using var image = TinyModels.RandomImage(9);
        var expected = TinyModels.Softmax(TinyModels.Logits(TinyModels.ChannelMeans(image, Normalization.ImageNet)));
        var p = predictor.Predict(image);
        for (int k = 0; k < 7; k++) Assert.Equal(expected[k], p.Probabilities[k], 1e-5);
        Assert.Null(predictor.ModelInfo);
    }

    [Fact]
    public void InvalidMetadataIsReported()
    {
        string path = dir.File("badmeta.onnx");
        var g = new Emotion.Onnx.Export.Graph.OnnxGraphBuilder();
        string x = g.AddInput("frames", ["batch", "time", 3, 4, 4]);
        g.AddOutput(g.AddNode("Identity", [x], "logits"), ["batch", "time", 3, 4, 4]);
        g.AddMetadata(OnnxMetadataKeys.ModelInfo, "{\"task\":\"combined\",\"frameSize\":-3}");
        g.Save(path);
        var e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread));
        Assert.Contains(path, e.Message);
        Assert.Contains(OnnxMetadataKeys.ModelInfo, e.Message);
    }

    [Fact]
    public void WrongFrameSizeNamesExpectedAndActualSizes()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        using var good = TinyModels.RandomImage(1);
        using var bad = new Image<Rgb24>(10, 12);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictImages([good, bad]));
        Assert.Contains("Image 2 is 10x12 pixels", e.Message);
        Assert.Contains("expects 4x4", e.Message);
        string file = dir.File("big.png");
        bad.SaveAsPng(file);
        var f = Assert.Throws<ArgumentException>(() => predictor.PredictImageFiles([file]));
        Assert.Contains($"Image file '{file}' is 10x12 pixels", f.Message);
        using var stream = predictor.OpenStream(4);
        stream.Push(good);
        var s = Assert.Throws<ArgumentException>(() => stream.Push(bad));
        Assert.Contains("Frame 2 is 10x12 pixels", s.Message);
    }

    [Fact]
    public void DescriptorThatDoesNotMatchTheGraphIsExplained()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        var wrongName = TinyModels.Info() is var info
            ? OnnxModelDescriptor.FromModelInfo(info, ["frames"], ["logits", "valence_arousal"]) with { InputName = "images" }
            : null;
        var e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread with { Descriptor = wrongName }));
        Assert.Contains("no input 'images'", e.Message);
        Assert.Contains("'frames'", e.Message);

        var wrongSize = wrongName! with { InputName = "frames", Width = 8, Height = 8 };
        e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread with { Descriptor = wrongSize }));
        Assert.Contains("[?, ?, 3, 4, 4]", e.Message);

        var noTime = wrongName with { InputName = "frames", HasTimeAxis = false };
        e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread with { Descriptor = noTime }));
        Assert.Contains("without a time axis", e.Message);

        var wrongOutput = wrongName with { InputName = "frames", CategoryOutput = "scores" };
        e = Assert.Throws<InvalidOnnxModelException>(() => new EmotionPredictor(path, OneThread with { Descriptor = wrongOutput }));
        Assert.Contains("no output 'scores'", e.Message);

        var tooFewLabels = wrongName with { InputName = "frames", Labels = ["happy", "sad"] };
        using var predictor = new EmotionPredictor(path, OneThread with { Descriptor = tooFewLabels });
        using var image = TinyModels.RandomImage(1);
        var run = Assert.Throws<InvalidOnnxModelException>(() => predictor.Predict(image));
        Assert.Contains("7 values per frame", run.Message);
    }

    [Fact]
    public void CudaWithoutTheGpuPackageSaysWhichPackageToAdd()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        var e = Assert.Throws<ExecutionProviderUnavailableException>(() =>
            new EmotionPredictor(path, OneThread with { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        Assert.Equal(OnnxExecutionProvider.Cuda, e.Provider);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }

    [Fact]
    public void InvalidOptionsAreNamed()
    {
        string path = dir.File("linear.onnx");
        TinyModels.SaveLinear(path);
        var e = Assert.Throws<ArgumentException>(() => new EmotionPredictor(path, new EmotionPredictorOptions { MaxFramesPerRun = 0 }));
        Assert.Contains("MaxFramesPerRun", e.Message);
        e = Assert.Throws<ArgumentException>(() => new EmotionPredictor(path, new EmotionPredictorOptions
        {
            Descriptor = new OnnxModelDescriptor { Width = 4, Height = 4, CategoryOutput = "x", Labels = ["contempt", "pride"] },
        }));
        Assert.Contains("maps to an emotion category", e.Message);
    }

    [Fact]
    public void NanOutputsAreAnErrorNotASilentPrediction()
    {
        string path = dir.File("nan.onnx");
        var g = new Emotion.Onnx.Export.Graph.OnnxGraphBuilder();
        string x = g.AddInput("frames", ["batch", "time", 3, 4, 4]);
        string m = g.AddNode("ReduceMean", [x], "m", Emotion.Onnx.Export.Graph.OnnxAttribute.Ints("axes", 3, 4), Emotion.Onnx.Export.Graph.OnnxAttribute.Int("keepdims", 0));
        string logSum = g.AddNode("Log", [g.AddNode("Sub", [m, m], "zero")], "log0"); // log(0) = -inf
        string nan = g.AddNode("Sub", [logSum, logSum], "nan"); // -inf - -inf = NaN
        string w = g.AddInitializer("w", new float[21], 3, 7);
        g.AddOutput(g.AddNode("MatMul", [nan, w], "logits"), ["batch", "time", 7]);
        g.AddMetadata(OnnxMetadataKeys.ModelInfo, TinyModels.Info(EmotionTask.Categorical).ToJson());
        g.Save(path);
        using var predictor = new EmotionPredictor(path, OneThread);
        using var image = TinyModels.RandomImage(1);
        var e = Assert.Throws<InvalidOperationException>(() => predictor.Predict(image));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("frame 1", e.Message);
    }
}
