namespace Emotion.Preprocessing.Frames;

/// <summary>A frame of a video together with its 1-based frame number.</summary>
/// <param name="Number">The frame's 1-based number in its video (Aff-Wild2: the file name, and the annotation line).</param>
/// <param name="Source">Where its pixels come from.</param>
public sealed record NumberedFrame(int Number, IFrameSource Source);
