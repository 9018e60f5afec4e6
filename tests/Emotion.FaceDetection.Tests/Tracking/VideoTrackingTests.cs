using Emotion.FaceDetection.Tests.Support;
using Emotion.FaceDetection.Tracking;
using Emotion.Testing;
using Emotion.Video;

namespace Emotion.FaceDetection.Tests.Tracking;

/// <summary>
/// BlazeFace + <see cref="FaceTracker"/> + <see cref="ShotChangeDetector"/> on OpenCV's Megamind.avi (720x528, 270 frames,
/// read through Emotion.Video). The clip is not one shot: looking at every 20th frame shows a black first frame, then the
/// woman at the table (frames 2-98, 1-based; a man sits blurred in the background), the man (99-154), the woman again
/// (155-200) and the man in close-up (201-270).
/// </summary>
public sealed class VideoTrackingTests(DetectorFixture detectors) : IClassFixture<DetectorFixture>
{
    private sealed record FrameResult(int Frame, bool Cut, int Detections, TrackedFace? Primary);

    [Fact]
    [Trait("Category", "Slow")]
    public void FollowsTheMainFaceThroughMegamind()
    {
        var tracker = new FaceTracker();
        var shots = new ShotChangeDetector();
        var results = new List<FrameResult>();
        foreach (var frame in VideoReader.Read(TestAssets.Path("Megamind.avi")))
        {
            bool cut = shots.IsCut(frame.Image);
            if (cut) tracker.Reset();
            var faces = tracker.Update(detectors.BlazeFace.Detect(frame.Image));
            results.Add(new FrameResult(frame.FrameNumber, cut, faces.Count, FaceSelector.Select(faces)));
        }

        Assert.Equal(270, results.Count);
        // The cuts seen by eye, found from the frames alone (frame 2 is the step from the black first frame). Measured grid
        // differences: at most about 3 within shots, 34 to 41 at the cuts (threshold 20).
        Assert.Equal([2, 99, 155, 201], results.Where(r => r.Cut).Select(r => r.Frame));
        // A face in every frame but the black one.
        Assert.Equal(269, results.Count(r => r.Primary is not null));
        Assert.Null(results[0].Primary);

        // Within each shot the largest face keeps one track id, and every shot has its own.
        int[] starts = [2, 99, 155, 201, 271];
        var shotIds = new List<int>();
        for (int s = 0; s < 4; s++)
        {
            var shot = results.Where(r => r.Frame >= starts[s] && r.Frame < starts[s + 1]).ToList();
            var ids = shot.Select(r => r.Primary!.TrackId).Distinct().ToList();
            Assert.True(ids.Count == 1, $"shot {s + 1} (frames {starts[s]}-{starts[s + 1] - 1}) has primary track ids {string.Join(", ", ids)}");
            shotIds.Add(ids[0]);

            // The smoothed box moves smoothly: its centre never jumps by more than 12% of its width between frames
            // (the characters move their heads; measured at most 8.3%).
            for (int i = 1; i < shot.Count; i++)
            {
                var a = shot[i - 1].Primary!.Box;
                var b = shot[i].Primary!.Box;
                float jump = MathF.Sqrt(MathF.Pow(b.X + b.Width / 2 - a.X - a.Width / 2, 2) + MathF.Pow(b.Y + b.Height / 2 - a.Y - a.Height / 2, 2));
                Assert.True(jump < 0.12f * a.Width, $"frame {shot[i].Frame}: the box centre jumped {jump:F1} px for a {a.Width:F0} px face");
            }
        }
        Assert.Equal(4, shotIds.Distinct().Count());
        // The blurred man behind the woman is found in some frames of the first shot: a second stream there.
        Assert.Contains(results, r => r.Frame < 99 && r.Detections == 2);
    }
}
