namespace Emotion.Torch.Evaluation;

/// <summary>How <see cref="ModelEvaluator"/> runs a model over the videos it scores.</summary>
public enum EvaluationMode
{
    /// <summary>
    /// As deployment does (<c>FrameSequencePredictor</c>, <c>EmotionStream</c>, <c>VideoEmotionPredictor</c>): each video is
    /// streamed whole, in chunks, with the recurrent state carried from chunk to chunk and reset only where the frame numbers
    /// have a gap (<see cref="Emotion.Core.Sequences.FrameGaps"/>). Every frame is predicted exactly once, with all the
    /// context before it in its run of consecutive frames. The metrics describe the model as it is deployed.
    /// </summary>
    Streaming,

    /// <summary>
    /// Each window (typically the model's training sequence length) is predicted on its own from a zero state, as during
    /// training; a frame seen in several overlapping windows is merged by <see cref="EvaluationOptions.Overlap"/>. Frames
    /// early in a window see little context, so the metrics usually differ from deployment's.
    /// </summary>
    Windowed,
}

/// <summary>Helpers on <see cref="EvaluationMode"/>.</summary>
public static class EvaluationModeExtensions
{
    /// <summary>The name used in metrics.json and on the command line: <c>streaming</c> or <c>windowed</c>.</summary>
    public static string ToName(this EvaluationMode mode) => mode switch
    {
        EvaluationMode.Streaming => "streaming",
        EvaluationMode.Windowed => "windowed",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an evaluation mode."),
    };

    /// <summary>Parses <c>streaming</c> or <c>windowed</c>, case-insensitively.</summary>
    /// <exception cref="FormatException">The name is not a mode.</exception>
    public static EvaluationMode ParseMode(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "streaming" => EvaluationMode.Streaming,
        "windowed" => EvaluationMode.Windowed,
        _ => throw new FormatException($"'{name}' is not an evaluation mode; expected streaming or windowed."),
    };
}
