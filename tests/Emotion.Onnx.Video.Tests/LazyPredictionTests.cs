using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx.Video.Tests;

/// <summary>Prediction is lazy: rows come out chunk by chunk while frames are pulled one at a time, so memory stays flat.</summary>
[Collection(ModelCollection.Name)]
public sealed class LazyPredictionTests(ExportedModelFixture fixture)
{
    private const int Long = 1_000_000;

    [Fact]
    public void TheFirstRowsOfALongSequencePullOnlyTheFirstChunk()
    {
        using var image = TestFrames.Scene(16, 16, 1, 0, 255);
        var frames = new CountingFrames(Long, _ => image);
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor);

        var rows = video.Predict(frames, "long");
        Assert.Equal(0, frames.Pulled); // nothing happens before enumeration
        var first = rows.Take(3).ToList();
        Assert.Equal([1, 2, 3], first.Select(r => r.Prediction.FrameNumber));
        Assert.Equal(4, frames.Pulled); // the first chunk of 4 frames, no more
        Assert.True(frames.Closed); // stopping early closes the source
    }

    [Fact]
    public void WithADetectorAndEveryFaceTheFirstRowsPullOnlyTheFirstChunk()
    {
        using var image = TestFrames.Scene(64, 48, 2, 0, 255);
        var frames = new CountingFrames(Long, _ => image);
        using var detector = new ScriptedFaceDetector(_ => [new FaceBox(4, 4, 20, 24), new FaceBox(36, 8, 20, 24)]);
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { Detector = detector, AllFaces = true });

        var first = video.Predict(frames, "long").Take(5).ToList();
        Assert.Equal(4, frames.Pulled);
        Assert.Equal(4, detector.Calls);
        Assert.Equal(["long_face1", "long_face1", "long_face1", "long_face1", "long_face2"], first.Select(r => r.VideoId));
        Assert.True(frames.Closed);
    }

    [Fact]
    public void CancellationStopsTheEnumeration()
    {
        using var image = TestFrames.Scene(16, 16, 3, 0, 255);
        var frames = new CountingFrames(Long, _ => image);
        using var predictor = fixture.OpenPredictor(chunk: 2);
        var video = new VideoEmotionPredictor(predictor);
        using var cancellation = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in video.Predict(frames, "long", cancellation.Token))
                if (++seen == 2) cancellation.Cancel();
        });
        Assert.Equal(2, seen);
        Assert.InRange(frames.Pulled, 2, 3);
        Assert.True(frames.Closed);
    }
}
