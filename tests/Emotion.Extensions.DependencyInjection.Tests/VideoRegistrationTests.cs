using Emotion.FaceDetection;
using Emotion.FaceDetection.Tracking;
using Emotion.Onnx;
using Emotion.Onnx.Video;
using Emotion.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary><c>UseFaceDetector</c>: the BlazeFace detector and the video predictor resolved from a real service provider.</summary>
public sealed class VideoRegistrationTests
{
    [Theory]
    [InlineData("blazeface_front_128.onnx", typeof(BlazeFaceDetector))]
    [InlineData("fr_detect.onnx", typeof(UltraFaceDetector))]
    public void WithoutBlazefaceSettingsTheModelKindIsRecognised(string model, Type expected)
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseFaceDetector(TestAssets.Path(model)));
        using var provider = services.BuildServiceProvider();
        Assert.IsType(expected, provider.GetRequiredService<IFaceDetector>());
    }

    [Fact]
    public void ResolvesTheDetectorAndAVideoPredictorThatUsesIt()
    {
        var tracking = new FaceTrackerOptions { MaxMissedFrames = 3 };
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o =>
        {
            o.UseOnnxModel(ModelPath).UseThreads(1).UseFaceDetector(BlazeFace, new BlazeFaceOptions { ScoreThreshold = 0.6f, IntraOpThreads = 1 }).UseAllFaces();
            o.Video = o.Video with { Margin = 0.3f, Tracking = tracking, ResetTracksAtCuts = false };
        });
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var detector = provider.GetRequiredService<IFaceDetector>();
        var blazeFace = Assert.IsType<BlazeFaceDetector>(detector);
        Assert.Equal(0.6f, blazeFace.Options.ScoreThreshold);
        Assert.Same(detector, provider.GetRequiredService<IFaceDetector>());
        var video = provider.GetRequiredService<VideoEmotionPredictor>();
        Assert.Same(video, provider.GetRequiredService<VideoEmotionPredictor>());
        Assert.Same(provider.GetRequiredService<EmotionPredictor>(), video.Predictor);
        Assert.Same(detector, video.Options.Detector);
        Assert.True(video.Options.AllFaces);
        Assert.Equal(0.3f, video.Options.EffectiveMargin);
        Assert.Same(tracking, video.Options.Tracking);
        Assert.False(video.Options.ResetTracksAtCuts);

        // The astronaut's one face, twice: one track, and each row is the predictor on the detected box grown by the margin
        // (the tiny model has no state, and a face detected at the same place is not moved by the tracker).
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var face = Assert.Single(detector.Detect(image));
        var rows = video.Predict([new PredictionFrame(1, 0.0, image), new PredictionFrame(2, 0.5, image)], "astronaut").ToList();
        Assert.Equal(["astronaut_face1", "astronaut_face1"], rows.Select(r => r.VideoId));
        Assert.Equal([0.0, 0.5], rows.Select(r => r.TimeSeconds!.Value));
        var expected = video.Predictor.Predict(image, face.Box.Expand(0.3f));
        foreach (var row in rows)
        {
            for (int k = 0; k < 7; k++) Assert.Equal(expected.Probabilities[k], row.Prediction.Probabilities[k], 1e-6);
            Assert.Equal(expected.Valence!.Value, row.Prediction.Valence!.Value, 1e-6);
        }
    }

    [Fact]
    public void WithoutADetectorTheVideoPredictorTakesWholeFramesAndTheDetectorCannotBeResolved()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseThreads(1));
        using var provider = services.BuildServiceProvider();

        var video = provider.GetRequiredService<VideoEmotionPredictor>();
        Assert.Null(video.Options.Detector);
        Assert.Null(video.Options.FaceBoxes);
        using var frame = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 51));
        var row = Assert.Single(video.Predict([new PredictionFrame(7, null, frame)], "crops"));
        Assert.Equal("crops", row.VideoId);
        Assert.Equal(7, row.Prediction.FrameNumber);
        Assert.Equal(video.Predictor.Predict(frame).Valence!.Value, row.Prediction.Valence!.Value, 1e-6);

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IFaceDetector>());
        Assert.Contains("UseFaceDetector", e.Message);
    }

    [Fact]
    public void AMissingDetectorFileFailsAtResolveWithTheValidatorsMessage()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-blazeface-{Guid.NewGuid():N}.onnx");
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseFaceDetector(missing));
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IFaceDetector>());
        Assert.Contains(missing, e.Message);
        Assert.Contains("FaceDetectorPath", e.Message);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<VideoEmotionPredictor>());
    }

    [Fact]
    public void AFileThatIsNotBlazefaceFailsNamingIt()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseFaceDetector(ModelPath)); // an emotion model, not a detector
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOnnxModelException>(() => provider.GetRequiredService<IFaceDetector>());
        Assert.Equal(ModelPath, e.ModelPath);
        Assert.Contains("tiny_combined.onnx", e.Message);
        Assert.Contains("does not have the BlazeFace layout", e.Message);
    }

    [Fact]
    public void BadVideoOptionsAreNamedByTheValidator()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o =>
        {
            o.UseOnnxModel(ModelPath).UseAllFaces(); // no detector
            o.Video = o.Video with { Margin = 3f };
            o.BlazeFace = new BlazeFaceOptions { MaxFaces = 0 };
        });
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<VideoEmotionPredictor>());
        // The first failure of VideoPredictionOptions.Validate (AllFaces before Margin), with the hint where to set the detector.
        Assert.Contains("EmotionRecognitionOptions.Video.AllFaces: AllFaces needs a Detector", e.Message);
        Assert.Contains("Set FaceDetectorPath", e.Message);
        Assert.Contains("EmotionRecognitionOptions.BlazeFace.MaxFaces: Expected at least one face per image.", e.Message);
        Assert.Contains("EmotionRecognitionOptions.BlazeFace: BlazeFace settings are given but no FaceDetectorPath", e.Message);

        services = new ServiceCollection();
        services.AddEmotionRecognition(o =>
        {
            o.UseOnnxModel(ModelPath).UseFaceDetector(BlazeFace);
            o.Video = o.Video with { Margin = 3f };
        });
        using var second = services.BuildServiceProvider();
        e = Assert.Throws<OptionsValidationException>(() => second.GetRequiredService<VideoEmotionPredictor>());
        Assert.Contains("EmotionRecognitionOptions.Video.Margin: Margin must be between 0 and 2; got 3.", e.Message);
    }

    [Fact]
    public void DisposingTheProviderDisposesTheDetector()
    {
        var services = new ServiceCollection();
        services.AddEmotionRecognition(o => o.UseOnnxModel(ModelPath).UseFaceDetector(BlazeFace));
        IFaceDetector detector;
        using (var provider = services.BuildServiceProvider())
            detector = provider.GetRequiredService<VideoEmotionPredictor>().Options.Detector!;
        using var image = new Image<Rgb24>(32, 32);
        Assert.Throws<ObjectDisposedException>(() => detector.Detect(image));
    }
}
