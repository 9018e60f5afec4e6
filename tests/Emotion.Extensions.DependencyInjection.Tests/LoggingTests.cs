using Emotion.Onnx;
using Emotion.Onnx.Video;
using Emotion.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Emotion.Extensions.DependencyInjection.Tests.TestServices;

namespace Emotion.Extensions.DependencyInjection.Tests;

/// <summary>
/// The predictors resolved from the container log to the container's <see cref="ILoggerFactory"/>: what was opened, and
/// what the video predictor otherwise passes over in silence (frames without a face, a video file that ends early).
/// </summary>
public sealed class LoggingTests
{
    private static ServiceProvider Build(CollectingLoggerProvider logs, Action<EmotionRecognitionOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddEmotionRecognition(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void OpeningTheModelIsLoggedWithWhatWasOpened()
    {
        var logs = new CollectingLoggerProvider();
        using var provider = Build(logs, o => o.UseOnnxModel(ModelPath).UseThreads(1));
        provider.GetRequiredService<IEmotionPredictor>();
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(typeof(EmotionPredictor).FullName, entry.Category);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal(ModelPath, entry.Values["ModelPath"]);
        Assert.Equal(4, entry.Values["Width"]);
        Assert.Equal(
            $"Opened emotion model {ModelPath} (Emotion.Core Combined model): 4x4 Rgb input, categories [Neutral, Anger, Disgust, Fear, Happiness, Sadness, Surprise], " +
            "valence/arousal yes, no recurrent state, on Cpu", entry.Message);
    }

    [Fact]
    public void TheVideoPredictorReportsFramesWithoutAFace()
    {
        var logs = new CollectingLoggerProvider();
        using var provider = Build(logs, o => o.UseOnnxModel(ModelPath).UseThreads(1).UseFaceDetector(TestAssets.Path("blazeface_front_128.onnx")).UseAllFaces());
        var video = provider.GetRequiredService<IVideoEmotionPredictor>();
        using var face = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        using var empty = new Image<Rgb24>(face.Width, face.Height, new Rgb24(128, 128, 128));
        var rows = video.Predict([new PredictionFrame(1, 0.0, face), new PredictionFrame(2, 0.04, empty), new PredictionFrame(3, 0.08, face)], "clip").ToList();
        Assert.Equal(2, rows.Count);

        var summary = Assert.Single(logs.Entries, l => l.Category == typeof(VideoEmotionPredictor).FullName);
        Assert.Equal(LogLevel.Information, summary.Level);
        Assert.Equal("clip", summary.Values["VideoId"]);
        Assert.Equal(3, summary.Values["Frames"]);
        Assert.Equal(2, summary.Values["Faces"]);
        Assert.Equal(1, summary.Values["WithoutFace"]);
        Assert.Equal("Video clip: 3 frames, 2 faces predicted in 2 streams, 1 frames without a face", summary.Message);

        // A video where no frame has a face is a warning: it gives no row at all.
        video.Predict([new PredictionFrame(1, 0.0, empty), new PredictionFrame(2, 0.04, empty)], "blank").ToList();
        var warning = logs.Entries[^1];
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Video blank: no face in any of its 2 frames; no prediction was made", warning.Message);
    }

    [Fact]
    public void AVideoFileThatEndsEarlyIsAWarning()
    {
        // 30 frames of ffmpeg's test pattern in an AVI, cut in half: the header still declares 30 frames.
        string folder = Path.Combine(Path.GetTempPath(), $"di-video-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string full = Path.Combine(folder, "full.avi");
            FFmpegTestTool.Run($"-f lavfi -i testsrc=size=32x32:rate=25 -frames:v 30 -c:v mjpeg \"{full}\"");
            string cut = Path.Combine(folder, "cut.avi");
            var bytes = File.ReadAllBytes(full);
            File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

            var logs = new CollectingLoggerProvider();
            using var provider = Build(logs, o =>
            {
                o.UseOnnxModel(ModelPath).UseThreads(1);
                o.Predictor = o.Predictor with { ResizeFrames = true }; // whole 32x32 frames into the 4x4 model
            });
            var video = provider.GetRequiredService<IVideoEmotionPredictor>();
            Assert.Equal(30, video.PredictVideo(full).Count());
            Assert.DoesNotContain(logs.Entries, l => l.Level == LogLevel.Warning);

            int read = video.PredictVideo(cut).Count();
            Assert.InRange(read, 1, 29);
            var warning = Assert.Single(logs.Entries, l => l.Level == LogLevel.Warning);
            Assert.Equal(typeof(VideoEmotionPredictor).FullName, warning.Category);
            Assert.StartsWith($"video '{cut}' ended early: ffmpeg read {read} of the 30 frames the file declares", warning.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
