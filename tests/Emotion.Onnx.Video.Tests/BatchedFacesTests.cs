using Emotion.Core;
using Emotion.FaceDetection.Tracking;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;
using Emotion.Core.Predictions;

namespace Emotion.Onnx.Video.Tests;

/// <summary>
/// Batched faces (<see cref="EmotionStreamGroup"/>, <see cref="VideoPredictionOptions.BatchFaces"/>): the full chunks of
/// several tracks run in one call with their states stacked; every track must get exactly what its own stream gives.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class BatchedFacesTests(ExportedModelFixture fixture)
{
    private const int Size = ExportedModelFixture.FrameSize;

    [Fact]
    public void GroupMembersEqualSeparateStreamsWithLateStartEarlyEndAndAGap()
    {
        const int steps = 14;
        // Frame numbers per member and step (null: no frame): a whole track, one with a gap (6, 7 missing), one that
        // starts late, one that ends early (its partial chunk is run by Complete).
        int?[][] script =
        [
            [.. Enumerable.Range(1, steps).Select(t => (int?)t)],
            [.. Enumerable.Range(1, steps).Select(t => t is 6 or 7 ? null : (int?)t)],
            [.. Enumerable.Range(1, steps).Select(t => t < 4 ? null : (int?)t)],
            [.. Enumerable.Range(1, steps).Select(t => t > 6 ? null : (int?)t)],
        ];
        var images = Enumerable.Range(0, script.Length * steps).Select(i => TestFrames.Scene(Size, Size, 7 + i, 20, 235)).ToList();
        try
        {
            using var predictor = fixture.OpenPredictor(chunk: 4);
            var expected = new List<FramePrediction>[script.Length];
            for (int m = 0; m < script.Length; m++)
            {
                using var alone = predictor.OpenStream();
                expected[m] = [];
                for (int t = 0; t < steps; t++)
                    if (script[m][t] is { } n) expected[m].AddRange(alone.Push(images[m * steps + t], n));
                expected[m].AddRange(alone.Complete());
            }

            using var group = new EmotionStreamGroup(predictor);
            var members = script.Select(_ => group.Open()).ToArray();
            var actual = script.Select(_ => new List<FramePrediction>()).ToArray();
            int chunksRun = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int m = 0; m < script.Length; m++)
                {
                    if (script[m][t] is { } n) actual[m].AddRange(members[m].Push(images[m * steps + t], n));
                    if (t == 6 && m == 3) actual[m].AddRange(members[m].Complete()); // ends early
                }
                foreach (var (stream, predictions) in group.RunReady())
                {
                    actual[Array.IndexOf(members, stream)].AddRange(predictions);
                    chunksRun++;
                }
            }
            long gaps = members[1].GapCount;
            for (int m = 0; m < script.Length; m++) actual[m].AddRange(members[m].Complete());

            Assert.Equal(1, gaps);
            for (int m = 0; m < script.Length; m++)
            {
                Assert.Equal(expected[m].Select(p => p.FrameNumber), actual[m].Select(p => p.FrameNumber));
                for (int i = 0; i < expected[m].Count; i++)
                {
                    for (int k = 0; k < 7; k++) Assert.Equal(expected[m][i].Probabilities[k], actual[m][i].Probabilities[k], 1e-5);
                    Assert.Equal(expected[m][i].Valence!.Value, actual[m][i].Valence!.Value, 1e-5);
                    Assert.Equal(expected[m][i].Arousal!.Value, actual[m][i].Arousal!.Value, 1e-5);
                }
            }
            // Chunks of several members really shared calls.
            Assert.True(group.RunCount < chunksRun, $"{group.RunCount} calls for {chunksRun} chunks");
            // The members are not all the same (a mixed-up state would show).
            Assert.NotEqual(actual[0][^1].Valence!.Value, actual[2][^1].Valence!.Value, 1e-4);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Theory]
    [InlineData(1, null, 12, 1)] // live: up to 12 faces per run; three full members share one run
    [InlineData(4, null, 3, 1)] // 3 x 4 = 12 frames: one run
    [InlineData(8, null, 1, 3)] // 8 + 8 > 12: each chunk alone
    [InlineData(16, null, 1, 3)] // the default chunk: each alone (larger shared runs were slower, docs/benchmarks.md)
    [InlineData(16, 32, 2, 2)] // a larger budget: two chunks, then one
    public void SharedRunsHoldAtMostMaxFramesPerSharedRunFrames(int chunk, int? budget, int chunksPerRun, int runs)
    {
        var images = Enumerable.Range(0, 3 * chunk).Select(i => TestFrames.Scene(Size, Size, 3 + i, 20, 235)).ToList();
        try
        {
            var defaults = new EmotionPredictorOptions();
            using var predictor = new EmotionPredictor(fixture.ModelPath, new EmotionPredictorOptions
            {
                IntraOpThreads = 1, StreamChunkSize = chunk, ResizeFrames = true, MaxFramesPerSharedRun = budget ?? defaults.MaxFramesPerSharedRun,
            });
            using var group = new EmotionStreamGroup(predictor);
            Assert.Equal(chunksPerRun, group.MaxChunksPerRun);
            var members = Enumerable.Range(0, 3).Select(_ => group.Open()).ToArray();
            for (int t = 0; t < chunk; t++)
                for (int m = 0; m < 3; m++)
                    Assert.Empty(members[m].Push(images[m * chunk + t], t + 1));
            var ran = group.RunReady();
            Assert.Equal(3, ran.Count);
            Assert.All(ran, r => Assert.Equal(chunk, r.Predictions.Count));
            Assert.Equal(runs, group.RunCount);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
        Assert.Equal(12, new EmotionPredictorOptions().MaxFramesPerSharedRun);
        var error = Assert.Throws<ArgumentException>(() => new EmotionPredictorOptions { MaxFramesPerSharedRun = 0 }.Validate());
        Assert.Contains("MaxFramesPerSharedRun", error.Message);
    }

    [Fact]
    public void VideoPredictorBatchedRowsEqualUnbatchedRowsForThreeTracks()
    {
        const int frames = 15, width = 168, height = 80;
        var a = new FaceBox(8, 20, 32, 40);
        var b = new FaceBox(64, 20, 32, 40);
        var c = new FaceBox(120, 20, 32, 40);
        var tints = new[] { new Rgb24(230, 160, 120), new Rgb24(90, 140, 230), new Rgb24(140, 220, 100) };
        // A in every frame; B ends after frame 8; C starts at frame 4 and misses frames 9-10 (a gap, kept by the tracker).
        IReadOnlyList<FaceBox> Faces(int t)
        {
            var list = new List<FaceBox> { a with { X = a.X + t % 2 } };
            if (t < 8) list.Add(b with { Y = b.Y + t % 2 });
            if (t >= 3 && t is not (8 or 9)) list.Add(c);
            return list;
        }
        var images = Enumerable.Range(0, frames).Select(t => TestFrames.Scene(width, height, t, 100, 140,
            [.. Faces(t).Select((box, i) => (box, tints[box.X >= 100 ? 2 : box.X >= 50 ? 1 : 0]))])).ToList();
        try
        {
            using var predictor = fixture.OpenPredictor(chunk: 4);
            List<PredictionRow> Run(bool batched)
            {
                using var detector = new ScriptedFaceDetector(Faces);
                var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
                {
                    Detector = detector, AllFaces = true, Margin = 0.25f, BatchFaces = batched,
                    Tracking = new FaceTrackerOptions { SmoothingFactor = 1f, VelocityFactor = 0f, MaxMissedFrames = 3 },
                });
                return [.. video.Predict(images.Select((image, t) => new PredictionFrame(t + 1, t * 0.04, image)), "v")];
            }
            var unbatched = Run(false);
            var batched = Run(true);

            var ids = unbatched.Select(r => r.VideoId).Distinct().Order().ToList();
            Assert.Equal(["v_face1", "v_face2", "v_face3"], ids);
            Assert.Equal(ids, batched.Select(r => r.VideoId).Distinct().Order());
            foreach (var id in ids)
            {
                var expected = unbatched.Where(r => r.VideoId == id).ToList();
                var actual = batched.Where(r => r.VideoId == id).ToList();
                PredictionAssert.Equal([.. expected.Select(r => r.Prediction)], [.. expected.Select(r => r.Prediction.FrameNumber)], id, actual);
                Assert.Equal(expected.Select(r => r.TimeSeconds), actual.Select(r => r.TimeSeconds));
            }
            Assert.Equal(frames, unbatched.Count(r => r.VideoId == "v_face1"));
            Assert.Equal(8, unbatched.Count(r => r.VideoId == "v_face2"));
            Assert.Equal(frames - 3 - 2, unbatched.Count(r => r.VideoId == "v_face3")); // the gap: frames 9 and 10 missing
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }
}
