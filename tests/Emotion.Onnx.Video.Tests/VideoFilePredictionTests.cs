using Emotion.Testing;
using Emotion.Video;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Onnx.Video.Tests;

/// <summary>
/// <see cref="VideoEmotionPredictor.PredictVideo"/> on a lossless video made with ffmpeg: the rows carry the reader's
/// frame numbers and timestamps, and equal the reference predictor run on the frames the reader decodes.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class VideoFilePredictionTests(ExportedModelFixture fixture)
{
    private const int Frames = 9;
    private const double Fps = 12.5;

    private string MakeVideo()
    {
        string dir = fixture.NewDir();
        for (int f = 1; f <= Frames; f++)
        {
            using var image = TestFrames.Scene(40, 32, 500 + f, 30, 220);
            image.SaveAsPng(Path.Combine(dir, $"{f:D5}.png"));
        }
        return FFmpegTestTool.EncodeFrames(dir, Path.Combine(dir, "clip.avi"), "-c:v ffv1 -pix_fmt bgr0", Fps);
    }

    [Fact]
    public void RowsCarryTheReadersTimesAndEqualThePredictionOfTheDecodedFrames()
    {
        string path = MakeVideo();
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor);
        using var reference = fixture.OpenReference();

        foreach (var options in new[] { VideoReaderOptions.Default, new VideoReaderOptions { Sampling = FrameSampling.EveryNth(2), MaxFrames = 4 } })
        {
            var rows = video.PredictVideo(path, options).ToList();

            // The reference: the same reader, frames kept (cloned), predicted as one sequence by the reference predictor.
            var decoded = new List<(int Number, double Time, Image<Rgb24> Image)>();
            foreach (var frame in new VideoReader(path, options).ReadFrames()) decoded.Add((frame.FrameNumber, frame.TimeSeconds, frame.Image.Clone()));
            try
            {
                Assert.Equal(options.MaxFrames ?? Frames, decoded.Count);
                var expected = reference.PredictSequence([.. decoded.Select(d => d.Image)]);
                PredictionAssert.Equal(expected, [.. decoded.Select(d => d.Number)], "clip", rows);
                Assert.Equal(decoded.Select(d => (double?)d.Time), rows.Select(r => r.TimeSeconds));
                // The times are the frame rate's: (frame - 1) / fps.
                Assert.All(rows, r => Assert.Equal((r.Prediction.FrameNumber - 1) / Fps, r.TimeSeconds!.Value, 3));
            }
            finally
            {
                foreach (var d in decoded) d.Image.Dispose();
            }
        }
        Assert.Equal([1, 3, 5, 7], video.PredictVideo(path, new VideoReaderOptions { Sampling = FrameSampling.EveryNth(2), MaxFrames = 4 })
            .Select(r => r.Prediction.FrameNumber));
    }

    [Fact]
    public void StoppingEarlyStopsFfmpeg()
    {
        // Megamind.avi: 270 frames of 720x528, far more than ffmpeg's pipe holds, so ffmpeg is still running after 2 rows.
        // A link in a folder of its own, so that the ffmpeg processes of other tests decoding the asset are not counted.
        string path = Path.Combine(fixture.NewDir(), "Megamind.avi");
        File.CreateSymbolicLink(path, TestAssets.Path("Megamind.avi"));
        using var predictor = fixture.OpenPredictor(chunk: 2);
        var video = new VideoEmotionPredictor(predictor);
        int rows = 0;
        foreach (var row in video.PredictVideo(path))
        {
            Assert.Equal("Megamind", row.VideoId);
            Assert.NotEmpty(FFmpegTestTool.ProcessesMentioning(path));
            if (++rows == 2) break;
        }
        for (int i = 0; i < 50 && FFmpegTestTool.ProcessesMentioning(path).Count > 0; i++) Thread.Sleep(100);
        Assert.Empty(FFmpegTestTool.ProcessesMentioning(path));
    }

    [Fact]
    public void AMissingVideoFailsWhenCalledNotWhenEnumerated()
    {
        using var predictor = fixture.OpenPredictor();
        var video = new VideoEmotionPredictor(predictor);
        string missing = Path.Combine(fixture.Root, "no-such-video.mp4");
        var e = Assert.Throws<FileNotFoundException>(() => video.PredictVideo(missing));
        Assert.Contains("no-such-video.mp4", e.Message);
    }
}
