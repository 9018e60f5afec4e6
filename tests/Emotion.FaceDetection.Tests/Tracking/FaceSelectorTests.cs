using Emotion.Core.Faces;

using Emotion.FaceDetection.Tracking;

namespace Emotion.FaceDetection.Tests.Tracking;

public sealed class FaceSelectorTests
{
    [Fact]
    public void PicksLargestOrMostConfident()
    {
        DetectedFace[] faces = [new(new FaceBox(0, 0, 10, 10), 0.9f, []), new(new FaceBox(50, 0, 30, 20), 0.6f, [])];
        Assert.Same(faces[1], FaceSelector.Select(faces));
        Assert.Same(faces[0], FaceSelector.Select(faces, FaceSelection.MostConfident));
        Assert.Null(FaceSelector.Select(Array.Empty<DetectedFace>()));
        TrackedFace[] tracked = [new(3, new FaceBox(0, 0, 10, 10), 0.5f), new(4, new FaceBox(0, 0, 5, 5), 0.7f)];
        Assert.Equal(3, FaceSelector.Select(tracked)!.TrackId);
        Assert.Equal(4, FaceSelector.Select(tracked, FaceSelection.MostConfident)!.TrackId);
    }
}
