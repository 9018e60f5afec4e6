using Emotion.FaceDetection.Decoding;

namespace Emotion.FaceDetection.Tests.Decoding;

public sealed class UltraFaceDecoderTests
{
    [Fact]
    public void KeepsCandidatesAboveTheThresholdAsCornerBoxes()
    {
        float[] scores = [0.1f, 0.9f, 0.8f, 0.2f, 0.25f, 0.75f, 0.05f, 0.95f];
        float[] boxes = [0.1f, 0.2f, 0.3f, 0.6f, 0.5f, 0.5f, 0.6f, 0.6f, 0.4f, 0.4f, 0.5f, 0.7f, 0.7f, 0.7f, 0.6f, 0.9f];
        var result = new List<DetectedFace>();
        UltraFaceDecoder.Decode(scores, boxes, 0.7f, result);
        // Candidate 1 (score 0.2) is below; candidate 3 has x2 < x1 and is skipped.
        Assert.Equal(2, result.Count);
        Assert.Equal(0.9f, result[0].Score);
        Assert.Equal(0.1f, result[0].Box.X, 6);
        Assert.Equal(0.2f, result[0].Box.Y, 6);
        Assert.Equal(0.2f, result[0].Box.Width, 6);
        Assert.Equal(0.4f, result[0].Box.Height, 6);
        Assert.Equal(0.75f, result[1].Score);
        Assert.Equal(0.3f, result[1].Box.Height, 6);
        Assert.Empty(result[0].Keypoints);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => UltraFaceDecoder.Decode(new float[4], new float[4], 0.5f, []));
    }
}
