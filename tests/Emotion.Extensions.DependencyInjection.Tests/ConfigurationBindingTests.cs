using System.Reflection;
using Emotion.Core;
using Emotion.FaceDetection;
using Emotion.FaceDetection.Decoding;
using Emotion.FaceDetection.Tracking;
using Emotion.Onnx;
using Emotion.Onnx.Models;
using Emotion.Onnx.Smoothing;
using Emotion.Onnx.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>
/// <c>AddEmotionRecognition().BindConfiguration()</c> and <c>AddEmotionRecognition(section)</c>: every setting of the
/// composed option records (init-only properties) is bound from an in-memory <see cref="IConfiguration"/> and reaches the
/// predictor, the detector and the video predictor the container opens.
/// </summary>
public sealed class ConfigurationBindingTests
{
    /// <summary>Every bindable setting, each with a value other than its default.</summary>
    private static Dictionary<string, string?> EverySetting(string prefix) => new()
    {
        [$"{prefix}:ModelPath"] = ModelPath,
        [$"{prefix}:Predictor:CudaDeviceId"] = "1", // kept, unused on the CPU provider
        [$"{prefix}:Predictor:IntraOpThreads"] = "1",
        [$"{prefix}:Predictor:InterOpThreads"] = "2",
        [$"{prefix}:Predictor:GraphOptimizationLevel"] = "ORT_ENABLE_BASIC",
        [$"{prefix}:Predictor:MaxFramesPerRun"] = "5",
        [$"{prefix}:Predictor:MaxFramesPerSharedRun"] = "4",
        [$"{prefix}:Predictor:StreamChunkSize"] = "3",
        [$"{prefix}:Predictor:ResizeFrames"] = "true",
        [$"{prefix}:Predictor:Smoothing:Method"] = "Median",
        [$"{prefix}:Predictor:Smoothing:Window"] = "3",
        [$"{prefix}:Predictor:Smoothing:Alpha"] = "0.5",
        [$"{prefix}:Predictor:Smoothing:Mode"] = "Centered",
        [$"{prefix}:FaceDetectorPath"] = BlazeFace,
        [$"{prefix}:BlazeFace:ScoreThreshold"] = "0.6",
        [$"{prefix}:BlazeFace:IouThreshold"] = "0.4",
        [$"{prefix}:BlazeFace:MaxFaces"] = "3",
        [$"{prefix}:BlazeFace:KeepAspectRatio"] = "false",
        [$"{prefix}:BlazeFace:IntraOpThreads"] = "1",
        [$"{prefix}:BlazeFace:WeightedSuppression"] = "false",
        [$"{prefix}:Video:AllFaces"] = "true",
        [$"{prefix}:Video:Selection"] = "MostConfident",
        [$"{prefix}:Video:Margin"] = "0.3",
        [$"{prefix}:Video:ResetTracksAtCuts"] = "false",
        [$"{prefix}:Video:BatchFaces"] = "false",
        [$"{prefix}:Video:Tracking:SmoothingFactor"] = "0.5",
        [$"{prefix}:Video:Tracking:VelocityFactor"] = "0.1",
        [$"{prefix}:Video:Tracking:MaxMissedFrames"] = "4",
        [$"{prefix}:Video:Tracking:MinIou"] = "0.3",
    };

    private static readonly EmotionPredictorOptions ExpectedPredictor = new()
    {
        CudaDeviceId = 1,
        IntraOpThreads = 1,
        InterOpThreads = 2,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
        MaxFramesPerRun = 5,
        MaxFramesPerSharedRun = 4,
        StreamChunkSize = 3,
        ResizeFrames = true,
        Smoothing = new PredictionSmootherOptions { Method = SmoothingMethod.Median, Window = 3, Alpha = 0.5f, Mode = SmoothingMode.Centered },
    };

    private static readonly BlazeFaceOptions ExpectedBlazeFace = new()
    {
        ScoreThreshold = 0.6f,
        IouThreshold = 0.4f,
        MaxFaces = 3,
        KeepAspectRatio = false,
        IntraOpThreads = 1,
        WeightedSuppression = false,
    };

    private static readonly VideoPredictionOptions ExpectedVideo = new()
    {
        AllFaces = true,
        Selection = FaceSelection.MostConfident,
        Margin = 0.3f,
        ResetTracksAtCuts = false,
        BatchFaces = false,
        Tracking = new FaceTrackerOptions { SmoothingFactor = 0.5f, VelocityFactor = 0.1f, MaxMissedFrames = 4, MinIou = 0.3f },
    };

    // Settings the test leaves at their defaults, and why.
    private static readonly Dictionary<string, string> NotCovered = new()
    {
        ["EmotionPredictorOptions.ExecutionProvider"] = "Cuda needs a GPU and the Gpu package (AddEmotionRecognitionTests checks the error)",
        ["EmotionPredictorOptions.Descriptor"] = "given as a JSON file through DescriptorPath (ADescriptorFileDescribesAThirdPartyModel)",
        ["FaceDetectorOptions.CudaDeviceId"] = "runs BlazeFace on CUDA: needs a GPU",
        ["FaceDetectorOptions.ConfigureSession"] = "a delegate, set in code",
        ["BlazeFaceOptions.Anchors"] = "the model's anchor geometry, fixed by the BlazeFace file",
        ["VideoPredictionOptions.FaceBoxes"] = "a table object, set in code",
        ["VideoPredictionOptions.Detector"] = "the registered detector (FaceDetectorPath)",
    };

    [Fact]
    public void EverySettingInTheSectionReachesThePredictorTheDetectorAndTheVideoPredictor()
    {
        var services = TestServices.WithConfiguration(EverySetting("EmotionRecognition"));
        services.AddEmotionRecognition().BindConfiguration();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var options = provider.GetRequiredService<IOptions<EmotionRecognitionOptions>>().Value;
        Assert.Equal(ModelPath, options.ModelPath);
        Assert.Equal(BlazeFace, options.FaceDetectorPath);
        Assert.Equal(ExpectedPredictor, options.Predictor);
        Assert.Equal(ExpectedBlazeFace, options.BlazeFace);
        Assert.Equal(ExpectedVideo, options.Video);

        var predictor = provider.GetRequiredService<EmotionPredictor>();
        Assert.Same(predictor, provider.GetRequiredService<IEmotionPredictor>());
        Assert.Equal(ModelPath, predictor.ModelPath);
        Assert.Equal(ExpectedPredictor, predictor.Options);
        var detector = Assert.IsType<BlazeFaceDetector>(provider.GetRequiredService<IFaceDetector>());
        Assert.Equal(ExpectedBlazeFace, detector.Options);
        var video = provider.GetRequiredService<VideoEmotionPredictor>();
        Assert.Same(video, provider.GetRequiredService<IVideoEmotionPredictor>());
        Assert.Same(predictor, video.Predictor);
        Assert.Equal(ExpectedVideo with { Detector = detector }, video.Options);
        Assert.Equal(0.3f, video.Options.EffectiveMargin);

        // The bound values act: frames of another size are resized (ResizeFrames), so an 8x8 frame predicts as its 4x4 self.
        using var big = new Image<Rgb24>(8, 8, new Rgb24(10, 200, 90));
        using var small = new Image<Rgb24>(4, 4, new Rgb24(10, 200, 90));
        var expected = predictor.Predict(small).Probabilities;
        var actual = predictor.Predict(big).Probabilities;
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 1e-5);
    }

    [Fact]
    public void TheTestConfigurationSetsEveryBindablePropertyToAValueOtherThanItsDefault()
    {
        // Guards the test above against a new option: each public settable property of the composed records must be bound
        // with a non-default value there, or be listed in NotCovered with the reason.
        var checkedRecords = new (object Expected, object Default)[]
        {
            (ExpectedPredictor, new EmotionPredictorOptions()),
            (ExpectedPredictor.Smoothing!, new PredictionSmootherOptions()),
            (ExpectedBlazeFace, new BlazeFaceOptions()),
            (ExpectedVideo, new VideoPredictionOptions()),
            (ExpectedVideo.Tracking!, new FaceTrackerOptions()),
        };
        var missing = new List<string>();
        foreach (var (expected, defaults) in checkedRecords)
        {
            foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is not { IsPublic: true }) continue; // computed (EffectiveMargin, EffectiveAlpha)
                string name = $"{property.DeclaringType!.Name}.{property.Name}";
                if (NotCovered.ContainsKey(name)) continue;
                if (Equals(property.GetValue(expected), property.GetValue(defaults))) missing.Add(name);
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void ASectionPassedToAddEmotionRecognitionBindsAsBindConfigurationDoes()
    {
        var configuration = TestServices.Configuration(EverySetting("Models:Main"));
        var services = new ServiceCollection();
        services.AddEmotionRecognition(configuration.GetSection("Models:Main"));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(ExpectedPredictor, provider.GetRequiredService<EmotionPredictor>().Options);
        Assert.Equal(ExpectedVideo with { Detector = provider.GetRequiredService<IFaceDetector>() }, provider.GetRequiredService<VideoEmotionPredictor>().Options);
    }

    [Fact]
    public void BindingGivesEveryOptionsObjectItsOwnRecordsAndLeavesTheSharedDefaultsAlone()
    {
        var settings = EverySetting("EmotionRecognition");
        settings["EmotionRecognition:BlazeFace:Anchors:MinScale"] = "0.2";
        var services = TestServices.WithConfiguration(settings);
        services.AddEmotionRecognition().BindConfiguration();
        services.AddEmotionRecognition("second").BindConfiguration();
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<EmotionRecognitionOptions>>();
        var first = monitor.Get(Options.DefaultName);
        var second = monitor.Get("second");
        Assert.NotSame(first.Predictor, second.Predictor);
        Assert.NotSame(first.Video, second.Video);
        Assert.Equal(new EmotionPredictorOptions(), EmotionPredictorOptions.Default);
        Assert.Equal(new VideoPredictionOptions(), VideoPredictionOptions.Default);
        Assert.Equal(0.1484375f, SsdAnchorOptions.FaceDetectionShortRange.MinScale);
        Assert.Equal(0.2f, first.BlazeFace!.Anchors.MinScale);
    }

    [Fact]
    public void ADescriptorFileDescribesAThirdPartyModel()
    {
        // The tiny model's graph described with its labels in reverse order: each probability then moves with its label
        // (the probability of category k is the softmax output 6 - k).
        string[] labels = ["surprise", "sadness", "happiness", "fear", "disgust", "anger", "neutral"];
        var descriptor = new OnnxModelDescriptor
        {
            InputName = "frames",
            HasTimeAxis = true,
            Width = 4,
            Height = 4,
            Normalization = new Normalization(new Rgb(0.5f, 0.5f, 0.5f), new Rgb(0.5f, 0.5f, 0.5f)),
            CategoryOutput = "logits",
            Labels = [.. labels],
            Valence = new OnnxOutputSlot("valence_arousal", 0),
            Arousal = new OnnxOutputSlot("valence_arousal", 1),
        };
        string path = Path.Combine(Path.GetTempPath(), $"di-descriptor-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, descriptor.ToJson());
        try
        {
            var services = TestServices.WithConfiguration(new Dictionary<string, string?>
            {
                ["EmotionRecognition:ModelPath"] = ModelPath,
                ["EmotionRecognition:DescriptorPath"] = path,
            });
            services.AddEmotionRecognition().BindConfiguration();
            services.AddEmotionRecognition("metadata", o => o.UseOnnxModel(ModelPath));
            using var provider = services.BuildServiceProvider();

            var described = provider.GetRequiredService<IEmotionPredictor>();
            var own = provider.GetRequiredKeyedService<IEmotionPredictor>("metadata");
            Assert.Null(described.ModelInfo);
            Assert.NotNull(own.ModelInfo);
            Assert.Equal(own.Categories, described.Categories); // probabilities are always in category order
            using var frame = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 51));
            var a = described.Predict(frame);
            var b = own.Predict(frame);
            for (int k = 0; k < 7; k++) Assert.Equal(b.Probabilities[k], a.Probabilities[6 - k], 1e-6);
            Assert.Equal(b.Valence, a.Valence);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DescriptorKeysInConfigurationFailPointingToDescriptorPathAndLeaveTheSharedNormalisationAlone()
    {
        // The binder cannot fill an ImmutableArray (Labels), so an inline descriptor is incomplete; and it sets nested
        // properties in place, which must not reach Normalization.ZeroToOne, every descriptor's default.
        var services = TestServices.WithConfiguration(new Dictionary<string, string?>
        {
            ["EmotionRecognition:ModelPath"] = ModelPath,
            ["EmotionRecognition:Predictor:Descriptor:Width"] = "4",
            ["EmotionRecognition:Predictor:Descriptor:Height"] = "4",
            ["EmotionRecognition:Predictor:Descriptor:Normalization:Mean:R"] = "0.5",
            ["EmotionRecognition:Predictor:Descriptor:CategoryOutput"] = "logits",
            ["EmotionRecognition:Predictor:Descriptor:Labels:0"] = "anger",
        });
        services.AddEmotionRecognition().BindConfiguration();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IEmotionPredictor>());
        Assert.StartsWith("EmotionRecognition:Predictor:Descriptor:Labels: The descriptor names the category output 'logits' but no Labels", Assert.Single(e.Failures));
        Assert.Contains("give the descriptor as a JSON file in DescriptorPath", e.Message);
        Assert.Equal(new Normalization(new Rgb(0f, 0f, 0f), new Rgb(1f, 1f, 1f)), Normalization.ZeroToOne);
    }

    [Fact]
    public void ABadDescriptorFileIsNamedWithTheReason()
    {
        string path = Path.Combine(Path.GetTempPath(), $"di-descriptor-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"inputName": "frames", "width": 4, "height": 4, "categoryOutput": "logits"}""");
        try
        {
            var services = TestServices.WithConfiguration(new Dictionary<string, string?>
            {
                ["EmotionRecognition:ModelPath"] = ModelPath,
                ["EmotionRecognition:DescriptorPath"] = path,
            });
            services.AddEmotionRecognition().BindConfiguration();
            using var provider = services.BuildServiceProvider();
            var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IEmotionPredictor>());
            Assert.Contains($"EmotionRecognition:DescriptorPath: '{path}': Not a valid model descriptor:", e.Message);
            Assert.Contains("no Labels", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
