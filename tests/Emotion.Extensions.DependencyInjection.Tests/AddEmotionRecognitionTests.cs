using Emotion.Core;
using Emotion.Extensions.DependencyInjection;
using Emotion.Onnx;
using Emotion.Onnx.Smoothing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

public sealed class AddEmotionRecognitionTests
{
    // The weights of Fixtures/make_tiny_model.py: logits = m @ W + b, valence_arousal = tanh(m @ V + c), with m the
    // per-channel mean of the frame normalised with mean 0.5 / std 0.5.
    private static readonly double[,] W =
    {
        { 1.0, -1.0, 0.5, 0.0, 2.0, -0.5, 0.25 },
        { 0.0, 1.0, -1.0, 0.5, 1.0, 0.0, -0.25 },
        { -1.0, 0.0, 0.5, 1.0, -2.0, 0.5, 0.0 },
    };
    private static readonly double[] B = [0.1, 0.0, -0.1, 0.2, 0.0, 0.3, -0.2];
    private static readonly double[,] V = { { 0.5, -0.5 }, { 0.25, 0.5 }, { -0.5, 0.25 } };
    private static readonly double[] C = [0.0, 0.1];

    [Fact]
    public void ResolvesOneSharedPredictorFromARealServiceProviderAndPredicts()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseThreads(1));
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var predictor = provider.GetRequiredService<EmotionPredictor>();
        Assert.Same(predictor, provider.GetRequiredService<EmotionPredictor>());
        Assert.Equal(EmotionTask.Combined, predictor.ModelInfo!.Task);
        Assert.Equal(4, predictor.FrameWidth);

        // A uniform frame (255, 0, 51): normalised (x / 255 - 0.5) / 0.5 = (1, -1, -0.6).
        using var image = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 51));
        var prediction = predictor.Predict(image);
        double[] m = [1.0, -1.0, 51 / 255.0 * 2 - 1];
        var logits = new double[7];
        for (int k = 0; k < 7; k++) logits[k] = B[k] + m[0] * W[0, k] + m[1] * W[1, k] + m[2] * W[2, k];
        double z = logits.Sum(Math.Exp);
        for (int k = 0; k < 7; k++) Assert.Equal(Math.Exp(logits[k]) / z, prediction.Probabilities[k], 1e-5);
        Assert.Equal(Math.Tanh(C[0] + m[0] * V[0, 0] + m[1] * V[1, 0] + m[2] * V[2, 0]), prediction.Valence!.Value, 1e-5);
        Assert.Equal(Math.Tanh(C[1] + m[0] * V[0, 1] + m[1] * V[1, 1] + m[2] * V[2, 1]), prediction.Arousal!.Value, 1e-5);
        Assert.Equal((EmotionCategory)Array.IndexOf(logits, logits.Max()), prediction.Category);
    }

    [Fact]
    public void PassesEveryOptionToThePredictor()
    {
        var smoothing = new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3 };
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o =>
        {
            o.UseOnnxModel(ModelPath).UseThreads(1).UseSmoothing(smoothing);
            o.Predictor = o.Predictor with { MaxFramesPerRun = 5, StreamChunkSize = 2, ResizeFrames = true };
        });
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<EmotionRecognitionOptions>>().Value;
        Assert.Equal(ModelPath, options.ModelPath);
        var predictor = provider.GetRequiredService<EmotionPredictor>();
        Assert.Equal(5, predictor.Options.MaxFramesPerRun);
        Assert.Equal(2, predictor.Options.StreamChunkSize);
        Assert.Equal(1, predictor.Options.IntraOpThreads);
        Assert.True(predictor.Options.ResizeFrames);
        Assert.Equal(smoothing, predictor.Options.Smoothing);
        Assert.Equal(OnnxExecutionProvider.Cpu, predictor.Options.ExecutionProvider);

        // Resizing is on: an 8x8 uniform frame gives the same prediction as the 4x4 one.
        using var big = new Image<Rgb24>(8, 8, new Rgb24(10, 200, 90));
        using var small = new Image<Rgb24>(4, 4, new Rgb24(10, 200, 90));
        var expected = predictor.Predict(small).Probabilities;
        var actual = predictor.Predict(big).Probabilities;
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 1e-5);
    }

    [Fact]
    public void MissingModelPathFailsAtFirstResolveWithAClearMessage()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<EmotionPredictor>());
        Assert.Contains("UseOnnxModel", e.Message);
    }

    [Fact]
    public void NonexistentModelFileAndBadOptionsAreNamed()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.onnx");
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o =>
        {
            o.UseOnnxModel(missing);
            o.Predictor = o.Predictor with { MaxFramesPerRun = 0 };
        });
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<EmotionPredictor>());
        Assert.Contains($"EmotionRecognitionOptions.ModelPath: the ONNX model file '{missing}' does not exist.", e.Message);
        Assert.Contains("EmotionRecognitionOptions.Predictor.MaxFramesPerRun: MaxFramesPerRun is 0; expected at least 1.", e.Message);
    }

    [Fact]
    public void CudaWithoutTheGpuPackageFailsAtResolveNamingThePackage()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseCuda());
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<ExecutionProviderUnavailableException>(() => provider.GetRequiredService<EmotionPredictor>());
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }

    [Fact]
    public void DisposingTheProviderDisposesThePredictor()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath));
        EmotionPredictor predictor;
        using (var provider = services.BuildServiceProvider())
            predictor = provider.GetRequiredService<EmotionPredictor>();
        using var image = new Image<Rgb24>(4, 4);
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(image));
    }
}
