using Emotion.FaceDetection.Decoding;

namespace Emotion.FaceDetection.Tests.Decoding;

public sealed class BlazeFaceDecoderTests
{
    [Fact]
    public void DecodesBoxKeypointsAndScoreByHand()
    {
        SsdAnchor[] anchors = [new(0.25f, 0.5f, 1, 1), new(0.75f, 0.75f, 1, 1), new(0.5f, 0.5f, 0.5f, 2f)];
        float[] scores = [2f, -3f, 0f];
        var regressors = new float[3 * 16];
        // Anchor 0: centre offset (+12.8, -6.4) px of 128 -> (+0.1, -0.05); size 32 x 64 px -> 0.25 x 0.5.
        float[] r0 = [12.8f, -6.4f, 32f, 64f, 0f, 0f, 6.4f, 12.8f, 0, 0, 0, 0, 0, 0, 0, 0];
        r0.CopyTo(regressors, 0);
        // Anchor 2 (non-unit size): x offset 64 px -> 0.5 * 0.5 = 0.25; w 64 px -> 0.5 * 0.5; h 32 px -> 0.25 * 2.
        float[] r2 = [64f, 0f, 64f, 32f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        r2.CopyTo(regressors, 32);
        var result = new List<DetectedFace>();
        BlazeFaceDecoder.Decode(scores, regressors, anchors, 0.4f, 128f, result);

        Assert.Equal(2, result.Count);                       // sigmoid(-3) = 0.047 < 0.4; sigmoid(0) = 0.5 kept
        var a = result[0];
        Assert.Equal(1 / (1 + Math.Exp(-2)), a.Score, 6);
        Assert.Equal(0.35 - 0.125, a.Box.X, 5);              // centre x 0.25 + 0.1, half width 0.125
        Assert.Equal(0.45 - 0.25, a.Box.Y, 5);
        Assert.Equal(0.25, a.Box.Width, 5);
        Assert.Equal(0.5, a.Box.Height, 5);
        Assert.Equal(6, a.Keypoints.Length);
        Assert.Equal(0.25, a.Keypoints[0].X, 5);
        Assert.Equal(0.5, a.Keypoints[0].Y, 5);
        Assert.Equal(0.30, a.Keypoints[1].X, 5);
        Assert.Equal(0.60, a.Keypoints[1].Y, 5);
        var c = result[1];
        Assert.Equal(0.5f, c.Score);
        Assert.Equal(0.75 - 0.125, c.Box.X, 5);
        Assert.Equal(0.5 - 0.25, c.Box.Y, 5);
        Assert.Equal(0.25, c.Box.Width, 5);
        Assert.Equal(0.5, c.Box.Height, 5);
    }

    [Fact]
    public void ScoresAreClippedBeforeTheSigmoid()
    {
        Assert.Equal(1f / (1f + MathF.Exp(-100f)), BlazeFaceDecoder.Score(1e6f));
        Assert.Equal(1f / (1f + MathF.Exp(100f)), BlazeFaceDecoder.Score(-1e6f));
        Assert.Equal(0.5f, BlazeFaceDecoder.Score(0f));
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            BlazeFaceDecoder.Decode(new float[2], new float[16], new SsdAnchor[2], 0.5f, 128f, []));
        Assert.Contains("2 anchors", ex.Message);
    }
}
