using SixLabors.ImageSharp;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection.Tests;

public sealed class NonMaxSuppressionTests
{
    private static DetectedFace Face(float x, float y, float w, float h, float score, params PointF[] keypoints) =>
        new(new FaceBox(x, y, w, h), score, [.. keypoints]);

    [Fact]
    public void IouOfHandComputedBoxes()
    {
        // Two 10x10 boxes shifted by 5 in x: intersection 50, union 150.
        Assert.Equal(1f / 3f, BoxOverlap.IntersectionOverUnion(new FaceBox(0, 0, 10, 10), new FaceBox(5, 0, 10, 10)), 6);
        // Shifted by 5 in x and y: intersection 25, union 175.
        Assert.Equal(25f / 175f, BoxOverlap.IntersectionOverUnion(new FaceBox(0, 0, 10, 10), new FaceBox(5, 5, 10, 10)), 6);
        Assert.Equal(1f, BoxOverlap.IntersectionOverUnion(new FaceBox(3, 4, 5, 6), new FaceBox(3, 4, 5, 6)));
        Assert.Equal(0f, BoxOverlap.IntersectionOverUnion(new FaceBox(0, 0, 10, 10), new FaceBox(10, 0, 10, 10)));
        // Contained: 4 / 16.
        Assert.Equal(0.25f, BoxOverlap.IntersectionOverUnion(new FaceBox(0, 0, 4, 4), new FaceBox(1, 1, 2, 2)), 6);
    }

    [Fact]
    public void HardKeepsTheBestOfEachClusterInScoreOrder()
    {
        DetectedFace[] faces =
        [
            Face(0, 0, 10, 10, 0.6f),    // IoU 1/3 with the 0.9 box: suppressed at 0.3, kept at 0.4
            Face(5, 0, 10, 10, 0.9f),
            Face(100, 100, 10, 10, 0.7f),
            Face(101, 100, 10, 10, 0.8f), // IoU 9/11 with the 0.7 box: it wins, the 0.7 box goes
        ];
        var kept = NonMaxSuppression.Hard(faces, 0.3f);
        Assert.Equal([0.9f, 0.8f], kept.Select(f => f.Score));
        Assert.Same(faces[1], kept[0]);
        var loose = NonMaxSuppression.Hard(faces, 0.4f);
        Assert.Equal([0.9f, 0.8f, 0.6f], loose.Select(f => f.Score));
        Assert.Single(NonMaxSuppression.Hard(faces, 0.3f, maxDetections: 1));
        Assert.Empty(NonMaxSuppression.Hard([], 0.3f));
    }

    [Fact]
    public void WeightedAveragesCornersAndKeypointsByScore()
    {
        DetectedFace[] faces =
        [
            Face(0, 0, 10, 10, 0.75f, new PointF(2, 2)),
            Face(2, 0, 10, 10, 0.25f, new PointF(6, 2)), // IoU 80/120 = 0.67 with the first
            Face(50, 50, 10, 10, 0.5f, new PointF(55, 55)),
        ];
        var merged = NonMaxSuppression.Weighted(faces, 0.3f);
        Assert.Equal(2, merged.Count);
        // Left = 0.75*0 + 0.25*2 = 0.5; right = 0.75*10 + 0.25*12 = 10.5; keypoint x = 0.75*2 + 0.25*6 = 3; score stays 0.75.
        Assert.Equal(0.75f, merged[0].Score);
        Assert.Equal(0.5f, merged[0].Box.X, 5);
        Assert.Equal(0f, merged[0].Box.Y, 5);
        Assert.Equal(10f, merged[0].Box.Width, 5);
        Assert.Equal(10f, merged[0].Box.Height, 5);
        Assert.Equal(3f, merged[0].Keypoints[0].X, 5);
        Assert.Equal(2f, merged[0].Keypoints[0].Y, 5);
        Assert.Same(faces[2], merged[1]);
    }

    [Fact]
    public void WeightedClustersAroundTheTopDetectionOnly()
    {
        // B overlaps A (IoU 1/3) and C overlaps B (IoU 1/3) but not A: at 0.3, A absorbs B; C stays on its own.
        DetectedFace[] faces = [Face(0, 0, 10, 10, 0.9f), Face(5, 0, 10, 10, 0.8f), Face(10, 0, 10, 10, 0.7f)];
        var merged = NonMaxSuppression.Weighted(faces, 0.3f);
        Assert.Equal(2, merged.Count);
        Assert.Equal((0.9f * 0 + 0.8f * 5) / 1.7f, merged[0].Box.X, 5);
        Assert.Same(faces[2], merged[1]);
    }

    [Fact]
    public void BadThresholdsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NonMaxSuppression.Hard([], 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonMaxSuppression.Weighted([], float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NonMaxSuppression.Hard([], 0.3f, -1));
    }
}
