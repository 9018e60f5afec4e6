using Emotion.Core.Faces;

using Emotion.FaceDetection.Tracking;

namespace Emotion.FaceDetection.Tests.Tracking;

public sealed class FaceTrackerTests
{
    private static DetectedFace Face(float x, float y, float size = 60f, float score = 0.9f) => new(new FaceBox(x, y, size, size), score, []);

    private static float CenterX(FaceBox b) => b.X + b.Width / 2;

    [Fact]
    public void StationaryFaceKeepsOneIdAndConverges()
    {
        var tracker = new FaceTracker();
        for (int frame = 0; frame < 20; frame++)
        {
            var face = Assert.Single(tracker.Update([Face(100, 50)]));
            Assert.Equal(1, face.TrackId);
            Assert.Equal(100f, face.Box.X, 3);
        }
        Assert.Empty(tracker.EndedTrackIds);
    }

    [Fact]
    public void SmoothingFollowsTheExponentialFormulaWithoutMotion()
    {
        // a = 0.5, no velocity: x_t = x_{t-1} + 0.5 (d_t - x_{t-1}); a jump from 0 to 40 gives 20, 30, 35.
        var tracker = new FaceTracker(new FaceTrackerOptions { SmoothingFactor = 0.5f, VelocityFactor = 0f });
        Assert.Equal(0f, tracker.Update([Face(0, 0)])[0].Box.X);
        float[] expected = [20f, 30f, 35f, 37.5f];
        foreach (float x in expected)
        {
            var face = Assert.Single(tracker.Update([Face(40, 0)]));
            Assert.Equal(1, face.TrackId);
            Assert.Equal(x, face.Box.X, 4);
            Assert.Equal(60f, face.Box.Width, 4);
        }
    }

    [Fact]
    public void SmoothingReducesJitter()
    {
        // Detections jitter by +-6 px around a fixed position; the smoothed box moves much less.
        var tracker = new FaceTracker();
        float previous = float.NaN, maxStep = 0f;
        for (int frame = 0; frame < 40; frame++)
        {
            float jitter = frame % 2 == 0 ? 6f : -6f;
            float x = Assert.Single(tracker.Update([Face(200 + jitter, 100)])).Box.X;
            if (frame > 10) maxStep = Math.Max(maxStep, Math.Abs(x - previous));
            previous = x;
        }
        Assert.True(maxStep < 12f * 0.8f, $"largest smoothed step {maxStep} vs raw step 12");
    }

    [Fact]
    public void TwoFacesCrossingKeepTheirIds()
    {
        // A moves right, B moves left 8 px per frame, B 20 px lower; they overlap for several frames in the middle.
        var tracker = new FaceTracker();
        int idA = -1, idB = -1;
        for (int frame = 0; frame <= 40; frame++)
        {
            float ax = 20 + 8 * frame, bx = 340 - 8 * frame;
            var faces = tracker.Update([Face(bx, 120, score: 0.8f), Face(ax, 100, score: 0.9f)]);
            Assert.Equal(2, faces.Count);
            var a = faces.Single(f => Math.Abs(f.Box.Y - 100) < 10);
            var b = faces.Single(f => Math.Abs(f.Box.Y - 120) < 10);
            if (frame == 0)
            {
                (idA, idB) = (a.TrackId, b.TrackId);
                Assert.NotEqual(idA, idB);
            }
            Assert.Equal(idA, a.TrackId);
            Assert.Equal(idB, b.TrackId);
            if (frame > 10)
            {
                // With motion prediction the smoothed box does not lag behind a steadily moving face.
                Assert.InRange(CenterX(a.Box), ax + 30 - 3, ax + 30 + 3);
                Assert.InRange(CenterX(b.Box), bx + 30 - 3, bx + 30 + 3);
            }
        }
        Assert.Equal(0.9f, tracker.Update([Face(348, 100, score: 0.9f)])[0].Score);
    }

    [Fact]
    public void FaceMissingForAFewFramesKeepsItsId()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { MaxMissedFrames = 5 });
        for (int frame = 0; frame < 10; frame++) Assert.Equal(1, tracker.Update([Face(100 + 2 * frame, 80)])[0].TrackId);
        for (int frame = 10; frame < 15; frame++)
        {
            Assert.Empty(tracker.Update([]));
            Assert.Equal([1], tracker.LiveTrackIds);
            Assert.Empty(tracker.EndedTrackIds);
        }
        // Back after 5 missed frames, where the motion predicts it: same id.
        Assert.Equal(1, Assert.Single(tracker.Update([Face(130, 80)])).TrackId);
    }

    [Fact]
    public void FaceMissingTooLongEndsItsTrack()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { MaxMissedFrames = 3 });
        tracker.Update([Face(100, 80)]);
        for (int i = 0; i < 3; i++) tracker.Update([]);
        Assert.Empty(tracker.EndedTrackIds);
        tracker.Update([]);
        Assert.Equal([1], tracker.EndedTrackIds);
        Assert.Empty(tracker.LiveTrackIds);
        Assert.Equal(2, Assert.Single(tracker.Update([Face(100, 80)])).TrackId);
    }

    [Fact]
    public void NewFaceElsewhereGetsANewIdAndResetEndsAll()
    {
        var tracker = new FaceTracker();
        tracker.Update([Face(0, 0)]);
        var faces = tracker.Update([Face(2, 0), Face(300, 0, score: 0.95f)]);
        Assert.Equal([2, 1], faces.Select(f => f.TrackId));   // most confident first
        tracker.Reset();
        Assert.Equal([1, 2], tracker.EndedTrackIds.Order());
        Assert.Equal(3, tracker.Update([Face(2, 0)])[0].TrackId);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceTracker(new FaceTrackerOptions { SmoothingFactor = 0f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceTracker(new FaceTrackerOptions { MinIou = 0f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceTracker(new FaceTrackerOptions { MaxMissedFrames = -1 }));
        var ex = Assert.Throws<ArgumentException>(() => new FaceTracker().Update([Face(0, 0), new DetectedFace(new FaceBox(0, 0, 0, 10), 1f, [])]));
        Assert.Contains("Detection 1", ex.Message);
    }
}
