using Emotion.Core.Faces;


namespace Emotion.FaceDetection.Decoding;

/// <summary>
/// Decodes the outputs of an UltraFace (Ultra-Light-Fast-Generic-Face-Detector-1MB) model exported with its box decoding:
/// <c>scores</c> <c>[1, N, 2]</c> holds softmax probabilities (background, face) and <c>boxes</c> <c>[1, N, 4]</c> the corners
/// <c>(x1, y1, x2, y2)</c> in normalised input coordinates (0..1). N is 4420 for the 320x240 models.
/// </summary>
public static class UltraFaceDecoder
{
    /// <summary>
    /// Appends the candidates whose face probability is greater than <paramref name="scoreThreshold"/> to
    /// <paramref name="destination"/>, boxes in normalised input coordinates; boxes with no area are skipped.
    /// </summary>
    /// <param name="scores">Two values per candidate: background and face probability.</param>
    /// <param name="boxes">Four values per candidate: x1, y1, x2, y2 in 0..1.</param>
    /// <param name="scoreThreshold">The face probability a candidate must exceed.</param>
    /// <param name="destination">Receives the candidates (without keypoints).</param>
    /// <exception cref="ArgumentException">The spans' lengths do not agree; the message gives them.</exception>
    public static void Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, float scoreThreshold, List<DetectedFace> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (scores.Length % 2 != 0 || boxes.Length != scores.Length * 2)
            throw new ArgumentException(
                $"UltraFace outputs do not agree: {scores.Length} score values and {boxes.Length} box values; expected 2 and 4 per candidate.", nameof(boxes));
        int n = scores.Length / 2;
        for (int i = 0; i < n; i++)
        {
            float score = scores[2 * i + 1];
            if (!(score > scoreThreshold)) continue;
            float x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
            if (!(x2 > x1 && y2 > y1) || !float.IsFinite(x1) || !float.IsFinite(y1) || !float.IsFinite(x2) || !float.IsFinite(y2)) continue;
            destination.Add(new DetectedFace(new FaceBox(x1, y1, x2 - x1, y2 - y1), score, []));
        }
    }
}
