using Emotion.Core;

namespace Emotion.Synthetic;

/// <summary>What the generator draws and writes for one frame.</summary>
/// <param name="Number">The 1-based frame number.</param>
/// <param name="HasImage">False for a "no face found" frame: its annotation line is written, its image is not.</param>
/// <param name="Category">The expression being shown (the segment's category; Neutral between expressions).</param>
/// <param name="Intensity">The expression's intensity in [0, 1] (onset, apex, offset).</param>
/// <param name="Parameters">The drawn face parameters (expression plus the identity's resting offsets and per-frame jitter).</param>
/// <param name="ShiftX">Per-frame horizontal face shift (fraction of the frame).</param>
/// <param name="ShiftY">Per-frame vertical face shift.</param>
/// <param name="Label">The label written to the annotation files (with unlabeled markers where dropped).</param>
public readonly record struct SyntheticFramePlan(
    int Number, bool HasImage, EmotionCategory Category, float Intensity, FaceParameters Parameters, float ShiftX, float ShiftY, FrameLabel Label);
