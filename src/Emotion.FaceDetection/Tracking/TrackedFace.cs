using Emotion.Core.Faces;


namespace Emotion.FaceDetection.Tracking;

/// <summary>A face seen in the current frame, with the id of the track it belongs to.</summary>
/// <param name="TrackId">The track's id: the same face keeps its id from frame to frame; ids start at 1 and are never reused.</param>
/// <param name="Box">The smoothed face box in the frame's pixel coordinates.</param>
/// <param name="Score">The detector's confidence for this frame's detection.</param>
public sealed record TrackedFace(int TrackId, FaceBox Box, float Score);
