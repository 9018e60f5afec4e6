namespace Emotion.Torch.Evaluation;

/// <summary>How <see cref="ModelEvaluator"/> merges several predictions of the same video frame (overlapping windows).</summary>
public enum OverlapPolicy
{
    /// <summary>
    /// Keep the prediction made with the most temporal context: for a forward recurrent head the one with the most earlier
    /// frames in its window; for a bidirectional head the one farthest from its window's edges; without recurrence the first.
    /// Ties keep the first prediction seen.
    /// </summary>
    MostContext,
    /// <summary>Average the probabilities and valence/arousal of every prediction of the frame.</summary>
    Average,
}
