namespace Emotion.Preprocessing.Sequences;

/// <summary>What happens to the frames after the last full window of a video.</summary>
public enum TailMode
{
    /// <summary>One more window starts at the next stride position and is padded to full length (padding is masked out). A video shorter than a window gives one padded window.</summary>
    Pad,
    /// <summary>Incomplete windows are dropped; a video shorter than a window gives no window.</summary>
    Drop,
}
