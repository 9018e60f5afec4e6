using Emotion.Core.Predictions;

using Emotion.Core;

namespace Emotion.Onnx.Video.Tests;

/// <summary>Compares rows of the video predictor with reference predictions.</summary>
internal static class PredictionAssert
{
    public const double Tolerance = 1e-5;

    /// <summary>
    /// Asserts that <paramref name="rows"/> are <paramref name="expected"/> one for one: the frame numbers given, the
    /// video id, and every probability, valence and arousal within <see cref="Tolerance"/>.
    /// </summary>
    public static void Equal(IReadOnlyList<FramePrediction> expected, IReadOnlyList<int> frameNumbers, string videoId, IReadOnlyList<PredictionRow> rows)
    {
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(frameNumbers, rows.Select(r => r.Prediction.FrameNumber));
        for (int i = 0; i < rows.Count; i++)
        {
            var actual = rows[i].Prediction;
            Assert.Equal(videoId, rows[i].VideoId);
            Assert.Equal(expected[i].Probabilities.Length, actual.Probabilities.Length);
            Assert.Equal(7, actual.Probabilities.Length);
            for (int k = 0; k < actual.Probabilities.Length; k++)
                Assert.Equal(expected[i].Probabilities[k], actual.Probabilities[k], Tolerance);
            Assert.Equal(expected[i].Valence!.Value, actual.Valence!.Value, Tolerance);
            Assert.Equal(expected[i].Arousal!.Value, actual.Arousal!.Value, Tolerance);
        }
    }
}
