using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Smoothing;
using Emotion.Onnx.Video;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>Several named models side by side: keyed services, named options, one configuration section each.</summary>
public sealed class KeyedModelTests
{
    /// <summary>An application service that asks for one model by key.</summary>
    public sealed class SmoothedMood([FromKeyedServices("smooth")] IEmotionPredictor predictor)
    {
        public IEmotionPredictor Predictor { get; } = predictor;
    }

    [Fact]
    public void NamedModelsResolveByKeyToTheirOwnFilesAndSettings()
    {
        // Two copies of the model: the default one frame by frame, "smooth" with a 3-frame moving average and a face detector.
        string copy = Path.Combine(Path.GetTempPath(), $"di-keyed-{Guid.NewGuid():N}.onnx");
        File.Copy(ModelPath, copy);
        try
        {
            var services = TestServices.WithConfiguration(new Dictionary<string, string?>
            {
                ["EmotionRecognition:ModelPath"] = ModelPath,
                ["EmotionRecognition:Predictor:IntraOpThreads"] = "1",
                ["Models:Smooth:ModelPath"] = copy,
                ["Models:Smooth:Predictor:Smoothing:Window"] = "3",
                ["Models:Smooth:FaceDetectorPath"] = BlazeFace,
            });
            services.AddEmotionRecognition().BindConfiguration()
                .AddModel("smooth").BindConfiguration("Models:Smooth");
            services.AddSingleton<SmoothedMood>();
            using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

            var main = provider.GetRequiredService<EmotionPredictor>();
            var smooth = provider.GetRequiredKeyedService<EmotionPredictor>("smooth");
            Assert.NotSame(main, smooth);
            Assert.Equal(ModelPath, main.ModelPath);
            Assert.Equal(copy, smooth.ModelPath);
            Assert.Null(main.Options.Smoothing);
            Assert.Equal(new PredictionSmootherOptions { Window = 3 }, smooth.Options.Smoothing);
            Assert.Same(main, provider.GetRequiredService<IEmotionPredictor>());
            Assert.Same(smooth, provider.GetRequiredKeyedService<IEmotionPredictor>("smooth"));
            Assert.Same(smooth, provider.GetRequiredService<SmoothedMood>().Predictor);

            // Each video predictor sits on its own model; only "smooth" finds faces.
            var mainVideo = provider.GetRequiredService<IVideoEmotionPredictor>();
            var smoothVideo = Assert.IsType<VideoEmotionPredictor>(provider.GetRequiredKeyedService<IVideoEmotionPredictor>("smooth"));
            Assert.Same(main, mainVideo.Predictor);
            Assert.Same(smooth, smoothVideo.Predictor);
            Assert.Same(provider.GetRequiredKeyedService<IFaceDetector>("smooth"), smoothVideo.Options.Detector);
            Assert.Null(provider.GetRequiredService<VideoEmotionPredictor>().Options.Detector);
            Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IFaceDetector>());

            // The settings act: on a sequence whose colour jumps, "smooth" gives the 3-frame average of what the default gives.
            var colours = new[] { new Rgb24(255, 0, 51), new Rgb24(0, 255, 0), new Rgb24(20, 40, 200), new Rgb24(200, 200, 10) };
            var frames = colours.Select(c => new Image<Rgb24>(4, 4, c)).ToList();
            try
            {
                var raw = main.PredictSequence(frames);
                var smoothed = smooth.PredictSequence(frames);
                for (int t = 2; t < frames.Count; t++)
                    Assert.Equal((raw[t - 2].Valence!.Value + raw[t - 1].Valence!.Value + raw[t].Valence!.Value) / 3, smoothed[t].Valence!.Value, 1e-5);
            }
            finally
            {
                foreach (var frame in frames) frame.Dispose();
            }
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void ABadNamedModelIsNamedInTheFailureAndDoesNotStopTheOthers()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath));
        services.AddEmotionRecognition("broken", o => o.UseOnnxModel(ModelPath).Predictor = new EmotionPredictorOptions { StreamChunkSize = 0 });
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<IEmotionPredictor>());
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IEmotionPredictor>("broken"));
        Assert.Equal("broken", e.OptionsName);
        Assert.Equal("EmotionRecognitionOptions.Predictor.StreamChunkSize (model 'broken'): StreamChunkSize is 0; expected at least 1.", Assert.Single(e.Failures));
    }

    [Fact]
    public void KeyedModelsAreDisposedWithTheContainer()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition("a", o => o.UseOnnxModel(ModelPath));
        IEmotionPredictor predictor;
        using (var provider = services.BuildServiceProvider())
            predictor = provider.GetRequiredKeyedService<IEmotionPredictor>("a");
        using var image = new Image<Rgb24>(4, 4);
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(image));
    }
}
