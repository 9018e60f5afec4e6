using Emotion.Core.Faces;

using Emotion.FaceDetection.Tracking;

namespace Emotion.FaceDetection.Tests.Tracking;

public sealed class TrackStreamsTests
{
    private sealed class Recorder(int trackId) : IDisposable
    {
        public int TrackId { get; } = trackId;
        public List<int> Frames { get; } = [];
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void TwoPeopleGiveTwoStreamsThatCloseWhenTheirTrackEnds()
    {
        var tracker = new FaceTracker(new FaceTrackerOptions { MaxMissedFrames = 2 });
        var all = new List<Recorder>();
        using var streams = new TrackStreams<Recorder>(id =>
        {
            var r = new Recorder(id);
            all.Add(r);
            return r;
        });
        for (int frame = 0; frame < 12; frame++)
        {
            var detections = new List<DetectedFace> { new(new FaceBox(10, 10, 50, 50), 0.9f, []) };
            if (frame < 6) detections.Add(new DetectedFace(new FaceBox(200, 10, 50, 50), 0.8f, []));
            var faces = tracker.Update(detections);
            streams.Close(tracker.EndedTrackIds);
            foreach (var face in faces) streams[face.TrackId].Frames.Add(frame);
        }
        Assert.Equal(2, all.Count);
        Assert.Equal(Enumerable.Range(0, 12), all[0].Frames);
        Assert.Equal(Enumerable.Range(0, 6), all[1].Frames);
        Assert.True(all[1].Disposed);          // second person gone for more than 2 frames
        Assert.False(all[0].Disposed);
        Assert.Equal([all[0].TrackId], streams.OpenTrackIds);
    }
}
