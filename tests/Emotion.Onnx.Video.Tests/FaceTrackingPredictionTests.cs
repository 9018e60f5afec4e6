using Emotion.FaceDetection.Tracking;
using Emotion.Onnx.Smoothing;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;
using Emotion.Core.Predictions;

namespace Emotion.Onnx.Video.Tests;

/// <summary>
/// Faces from a detector, followed by the tracker: one stream per face with <see cref="VideoPredictionOptions.AllFaces"/>,
/// the largest face otherwise, tracks restarted at shot cuts. Each stream is compared with the reference predictor run
/// on crops cut out by hand (<see cref="FaceBox.ClampTo"/> with the same margin) as one whole sequence.
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class FaceTrackingPredictionTests(ExportedModelFixture fixture)
{
    private const int Width = 160, Height = 96;
    // A quarter of the box on each side: with whole-pixel boxes whose sizes are multiples of 4 every grown box is exact in float.
    private const float Margin = 0.25f;
    // Boxes are taken as detected (no smoothing, no motion model), so the reference can crop the detector's boxes.
    private static readonly FaceTrackerOptions ExactBoxes = new() { SmoothingFactor = 1f, VelocityFactor = 0f };
    private static readonly Rgb24 TintA = new(230, 160, 120), TintB = new(90, 140, 230);

    private static FaceBox Jitter(FaceBox box, int t) => box with { X = box.X + (t % 3) - 1, Y = box.Y + (t * 2 % 3) - 1 };

    private static List<PredictionRow> Rows(IEnumerable<PredictionRow> rows, string videoId) => [.. rows.Where(r => r.VideoId == videoId)];

    private static IReadOnlyList<Core.FramePrediction> ReferenceOnCrops(EmotionPredictor reference, IEnumerable<(Image<Rgb24> Frame, FaceBox Box)> faces)
    {
        var crops = faces.Select(f => TestFrames.Crop(f.Frame, f.Box, Margin)).ToList();
        try
        {
            return reference.PredictSequence(crops);
        }
        finally
        {
            foreach (var crop in crops) crop.Dispose();
        }
    }

    private static void DisposeAll(IEnumerable<Image<Rgb24>> images)
    {
        foreach (var image in images) image.Dispose();
    }

    [Fact]
    public void AllFacesGivesOneStreamPerFaceEqualToTheHandCroppedReference()
    {
        const int frames = 11;
        var a = new FaceBox(16, 24, 40, 48);
        var b = new FaceBox(120, 28, 36, 40); // grown by the margin it runs past the right edge: the crop is clamped
        var boxesA = Enumerable.Range(0, frames).Select(t => Jitter(a, t)).ToArray();
        var boxesB = Enumerable.Range(0, frames).Select(t => Jitter(b, t + 1)).ToArray();
        var images = Enumerable.Range(0, frames).Select(t => TestFrames.Scene(Width, Height, t, 100, 140, (boxesA[t], TintA), (boxesB[t], TintB))).ToList();
        try
        {
            // The first frame gives A first (track 1); later frames list the faces in either order.
            using var detector = new ScriptedFaceDetector(t => t % 2 == 0 ? [boxesA[t], boxesB[t]] : [boxesB[t], boxesA[t]]);
            using var predictor = fixture.OpenPredictor(chunk: 4);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
            {
                Detector = detector, AllFaces = true, Margin = Margin, Tracking = ExactBoxes,
            });
            var rows = video.Predict(images.Select((image, t) => new PredictionFrame(t + 1, t * 0.04, image)), "x").ToList();

            Assert.Equal(frames, detector.Calls);
            Assert.Equal(["x_face1", "x_face2"], rows.Select(r => r.VideoId).Distinct().Order());
            Assert.Equal(2 * frames, rows.Count);
            using var reference = fixture.OpenReference();
            var numbers = Enumerable.Range(1, frames).ToArray();
            var face1 = Rows(rows, "x_face1");
            var face2 = Rows(rows, "x_face2");
            PredictionAssert.Equal(ReferenceOnCrops(reference, images.Zip(boxesA)), numbers, "x_face1", face1);
            PredictionAssert.Equal(ReferenceOnCrops(reference, images.Zip(boxesB)), numbers, "x_face2", face2);
            Assert.All(face1, r => Assert.Equal((r.Prediction.FrameNumber - 1) * 0.04, r.TimeSeconds));
            // The two faces really are predicted differently (a stream mixed up with the other would fail above).
            Assert.NotEqual(face1[^1].Prediction.Valence!.Value, face2[^1].Prediction.Valence!.Value, 1e-3);
        }
        finally
        {
            DisposeAll(images);
        }
    }

    [Fact]
    public void AFaceThatLeavesEndsItsStreamWhenTheTrackerDropsItAndSmoothingKeepsRowsInStep()
    {
        // Face B is seen in frames 1-4 only; with MaxMissedFrames 1 its track ends in frame 6 (missed twice). Predictions
        // are smoothed by a centred window, which delays them: the rows must still carry their own frame's number and time.
        const int frames = 9, lastB = 4;
        var a = new FaceBox(16, 24, 40, 48);
        var b = new FaceBox(100, 20, 36, 44);
        var images = Enumerable.Range(0, frames).Select(t => t < lastB
            ? TestFrames.Scene(Width, Height, t, 100, 140, (a, TintA), (b, TintB))
            : TestFrames.Scene(Width, Height, t, 100, 140, (a, TintA))).ToList();
        var smoothing = new PredictionSmootherOptions { Method = SmoothingMethod.MovingAverage, Mode = SmoothingMode.Centered, Window = 3 };
        try
        {
            using var detector = new ScriptedFaceDetector(t => t < lastB ? [a, b] : [a]);
            using var predictor = fixture.OpenPredictor(chunk: 2, smoothing);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
            {
                Detector = detector, AllFaces = true, Margin = Margin, Tracking = ExactBoxes with { MaxMissedFrames = 1 },
            });
            var source = new CountingFrames(frames, t => images[t], t => t / 25.0);
            var rows = new List<PredictionRow>();
            var pulledAt = new List<int>();
            foreach (var row in video.Predict(source, "x"))
            {
                rows.Add(row);
                pulledAt.Add(source.Pulled);
            }

            using var reference = fixture.OpenReference(smoothing);
            var face2 = Rows(rows, "x_face2");
            PredictionAssert.Equal(ReferenceOnCrops(reference, images.Take(lastB).Select(i => (i, b))), [.. Enumerable.Range(1, lastB)], "x_face2", face2);
            PredictionAssert.Equal(ReferenceOnCrops(reference, images.Select(i => (i, a))), [.. Enumerable.Range(1, frames)], "x_face1", Rows(rows, "x_face1"));
            Assert.All(rows, r => Assert.Equal((r.Prediction.FrameNumber - 1) / 25.0, r.TimeSeconds));
            // B's last rows come out at frame 6, where its track ends, not at the end of the video.
            Assert.Equal(lastB + 2, pulledAt[rows.FindLastIndex(r => r.VideoId == "x_face2")]);
        }
        finally
        {
            DisposeAll(images);
        }
    }

    [Fact]
    public void OneFaceModeFollowsTheLargestFaceAndSkipsFramesWithoutAFaceRestartingTheStateAfterThem()
    {
        const int frames = 10;
        var small = new FaceBox(16, 24, 28, 32);
        var large = new FaceBox(100, 20, 40, 48);
        var grown = new FaceBox(10, 14, 48, 56); // from frame 8 on the other face is the larger one: the followed face is kept
        FaceBox Other(int t) => t >= 7 ? grown : small;
        bool HasFaces(int t) => t is not (3 or 4);
        var images = Enumerable.Range(0, frames).Select(t => HasFaces(t)
            ? TestFrames.Scene(Width, Height, t, 100, 140, (Other(t), TintA), (large, TintB))
            : TestFrames.Scene(Width, Height, t, 100, 140)).ToList();
        try
        {
            using var detector = new ScriptedFaceDetector(t => HasFaces(t) ? [Other(t), large] : []);
            using var predictor = fixture.OpenPredictor(chunk: 3);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { Detector = detector, Margin = Margin, Tracking = ExactBoxes });
            var rows = video.Predict(images.Select((image, t) => new PredictionFrame(t + 1, null, image)), "x").ToList();

            var kept = Enumerable.Range(0, frames).Where(HasFaces).ToArray();
            using var reference = fixture.OpenReference();
            // The gap rule: frames 4 and 5 have no face, so frames 1-3 and 6-10 are two sequences, each from a zero state.
            var expected = ReferenceOnCrops(reference, kept.Where(t => t < 3).Select(t => (images[t], large)))
                .Concat(ReferenceOnCrops(reference, kept.Where(t => t > 4).Select(t => (images[t], large)))).ToList();
            PredictionAssert.Equal(expected, [.. kept.Select(t => t + 1)], "x", rows);
            Assert.All(rows, r => Assert.Null(r.TimeSeconds));
        }
        finally
        {
            DisposeAll(images);
        }
    }

    [Fact]
    public void ATrackThatLosesItsFaceForSomeFramesKeepsItsIdAndRestartsItsStateAfterTheGap()
    {
        // Face A is missed by the detector in frames 4-5; the tracker keeps its track alive (MaxMissedFrames 3), so the same
        // stream continues at frame 6, but from a zero state: the frames between are missing for that face.
        const int frames = 9;
        var a = new FaceBox(16, 24, 40, 48);
        var b = new FaceBox(100, 20, 36, 44);
        bool Seen(int t) => t is not (3 or 4);
        var images = Enumerable.Range(0, frames).Select(t => TestFrames.Scene(Width, Height, t, 100, 140, (a, TintA), (b, TintB))).ToList();
        try
        {
            using var detector = new ScriptedFaceDetector(t => Seen(t) ? [a, b] : [b]);
            using var predictor = fixture.OpenPredictor(chunk: 2);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
            {
                Detector = detector, AllFaces = true, Margin = Margin, Tracking = ExactBoxes with { MaxMissedFrames = 3 },
            });
            var rows = video.Predict(images.Select((image, t) => new PredictionFrame(t + 1, null, image)), "x").ToList();
            Assert.Equal(["x_face1", "x_face2"], rows.Select(r => r.VideoId).Distinct().Order());

            using var reference = fixture.OpenReference();
            var seen = Enumerable.Range(0, frames).Where(Seen).ToArray();
            var expectedA = ReferenceOnCrops(reference, seen.Where(t => t < 3).Select(t => (images[t], a)))
                .Concat(ReferenceOnCrops(reference, seen.Where(t => t > 4).Select(t => (images[t], a)))).ToList();
            PredictionAssert.Equal(expectedA, [.. seen.Select(t => t + 1)], "x_face1", Rows(rows, "x_face1"));
            PredictionAssert.Equal(ReferenceOnCrops(reference, images.Select(i => (i, b))), [.. Enumerable.Range(1, frames)], "x_face2", Rows(rows, "x_face2"));

            // The control: one sequence over A's frames (the state carried over the gap) is not what came out.
            var carried = ReferenceOnCrops(reference, seen.Select(t => (images[t], a)));
            var faceA = Rows(rows, "x_face1");
            Assert.True(Math.Abs(carried[3].Valence!.Value - faceA[3].Prediction.Valence!.Value) > 1e-4);
        }
        finally
        {
            DisposeAll(images);
        }
    }

    [Fact]
    public void OneFaceModeRestartsTheRecurrentStateWhenItSwitchesToAnotherPerson()
    {
        const int frames = 10, switchAt = 5;
        var first = new FaceBox(16, 24, 40, 48);
        var second = new FaceBox(104, 28, 40, 44); // far from the first: a new track, not the same person moving
        FaceBox Face(int t) => t < switchAt ? first : second;
        var images = Enumerable.Range(0, frames).Select(t => TestFrames.Scene(Width, Height, t, 100, 140, (Face(t), t < switchAt ? TintA : TintB))).ToList();
        try
        {
            using var detector = new ScriptedFaceDetector(t => [Face(t)]);
            using var predictor = fixture.OpenPredictor(chunk: 3);
            var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { Detector = detector, Margin = Margin, Tracking = ExactBoxes, ResetTracksAtCuts = false });
            var rows = video.Predict(images.Select((image, t) => new PredictionFrame(t + 1, null, image)), "x").ToList();

            // The second person's predictions start from a zero state: two independent sequences, not one.
            using var reference = fixture.OpenReference();
            var expected = ReferenceOnCrops(reference, Enumerable.Range(0, switchAt).Select(t => (images[t], first)))
                .Concat(ReferenceOnCrops(reference, Enumerable.Range(switchAt, frames - switchAt).Select(t => (images[t], second)))).ToList();
            PredictionAssert.Equal(expected, [.. Enumerable.Range(1, frames)], "x", rows);
        }
        finally
        {
            DisposeAll(images);
        }
    }

    // Shot A (bright, frames 1-6) then shot B (dark, frames 7-12) with face boxes that overlap across the cut.
    private sealed class TwoShots : IDisposable
    {
        public const int Frames = 12, Cut = 6;
        public readonly FaceBox[] Boxes = [.. Enumerable.Range(0, Frames).Select(t => t < Cut ? new FaceBox(40 + t % 2, 20, 40, 48) : new FaceBox(46, 24 + t % 2, 40, 48))];
        public readonly List<Image<Rgb24>> Images;

        public TwoShots()
        {
            Images = [.. Enumerable.Range(0, Frames).Select(t => t < Cut
                ? TestFrames.Scene(Width, Height, t, 190, 250, (Boxes[t], TintA))
                : TestFrames.Scene(Width, Height, t, 5, 60, (Boxes[t], TintB)))];
        }

        public ScriptedFaceDetector Detector() => new(t => [Boxes[t]]);

        public CountingFrames Source() => new(Frames, t => Images[t]);

        public void Dispose() => DisposeAll(Images);
    }

    [Fact]
    public void ACutEndsTheTracksAndTheirRowsComeBeforeTheCutFrame()
    {
        using var shots = new TwoShots();
        using var detector = shots.Detector();
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
        {
            Detector = detector, AllFaces = true, Margin = Margin, Tracking = ExactBoxes, ResetTracksAtCuts = true,
        });
        var source = shots.Source();
        var rows = new List<PredictionRow>();
        var pulledAt = new List<int>();
        foreach (var row in video.Predict(source, "x"))
        {
            rows.Add(row);
            pulledAt.Add(source.Pulled);
        }

        Assert.Equal(["x_face1", "x_face2"], rows.Select(r => r.VideoId).Distinct());
        using var reference = fixture.OpenReference();
        int cut = TwoShots.Cut;
        var first = Rows(rows, "x_face1");
        var second = Rows(rows, "x_face2");
        PredictionAssert.Equal(ReferenceOnCrops(reference, shots.Images.Zip(shots.Boxes).Take(cut)), [.. Enumerable.Range(1, cut)], "x_face1", first);
        // The second shot's stream starts from a zero state.
        PredictionAssert.Equal(ReferenceOnCrops(reference, shots.Images.Zip(shots.Boxes).Skip(cut)), [.. Enumerable.Range(cut + 1, TwoShots.Frames - cut)], "x_face2", second);
        // Every row of the first shot comes out once the cut frame is read, before any row of the second shot and before the frame after the cut is read.
        int lastFirst = rows.FindLastIndex(r => r.VideoId == "x_face1");
        Assert.Equal(cut - 1, lastFirst);
        Assert.Equal(cut + 1, pulledAt[lastFirst]);
    }

    [Fact]
    public void WithoutCutDetectionBothShotsShareOneTrack()
    {
        using var shots = new TwoShots();
        using var detector = shots.Detector();
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions
        {
            Detector = detector, AllFaces = true, Margin = Margin, Tracking = ExactBoxes, ResetTracksAtCuts = false,
        });
        var rows = video.Predict(shots.Source(), "x").ToList();

        using var reference = fixture.OpenReference();
        PredictionAssert.Equal(ReferenceOnCrops(reference, shots.Images.Zip(shots.Boxes)), [.. Enumerable.Range(1, TwoShots.Frames)], "x_face1", rows);
    }

    [Fact]
    public void OneFaceModeRestartsTheRecurrentStateAtACut()
    {
        using var shots = new TwoShots();
        using var detector = shots.Detector();
        using var predictor = fixture.OpenPredictor(chunk: 4);
        var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { Detector = detector, Margin = Margin, Tracking = ExactBoxes });
        var rows = video.Predict(shots.Source(), "x").ToList();

        using var reference = fixture.OpenReference();
        int cut = TwoShots.Cut;
        var expected = ReferenceOnCrops(reference, shots.Images.Zip(shots.Boxes).Take(cut))
            .Concat(ReferenceOnCrops(reference, shots.Images.Zip(shots.Boxes).Skip(cut))).ToList();
        PredictionAssert.Equal(expected, [.. Enumerable.Range(1, TwoShots.Frames)], "x", rows);
    }
}
