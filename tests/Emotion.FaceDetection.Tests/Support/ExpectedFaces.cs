using Emotion.Core.Faces;


namespace Emotion.FaceDetection.Tests.Support;

/// <summary>
/// Face regions read off the real images by eye (rendered with the detected boxes and inspected): the skin area from
/// the hairline/forehead to the chin and between the ears. A detection is on the face when its centre lies inside the
/// region and its box covers most of it.
/// </summary>
internal static class ExpectedFaces
{
    /// <summary>astronaut.png (512x512): Eileen Collins, face between x 175..275, y 75..185.</summary>
    public static readonly FaceBox Astronaut = new(175, 75, 100, 110);

    /// <summary>grace_hopper.jpg (512x600): face between x 165..365, y 140..340 (cap brim to chin, ear to ear).</summary>
    public static readonly FaceBox GraceHopper = new(165, 140, 200, 200);

    public static void AssertOnFace(FaceBox expected, FaceBox actual, float minIou = 0.5f)
    {
        float cx = actual.X + actual.Width / 2, cy = actual.Y + actual.Height / 2;
        Assert.InRange(cx, expected.X, expected.X + expected.Width);
        Assert.InRange(cy, expected.Y, expected.Y + expected.Height);
        float iou = BoxOverlap.IntersectionOverUnion(expected, actual);
        Assert.True(iou >= minIou, $"IoU {iou:F2} of {actual} with the face region {expected} is below {minIou}.");
    }
}
