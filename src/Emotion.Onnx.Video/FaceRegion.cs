using Emotion.Core.Faces;


namespace Emotion.Onnx.Video;

/// <summary>Where to predict in a frame: one face of one track, or the whole frame.</summary>
/// <param name="TrackId">The face track (0 when only one face is followed).</param>
/// <param name="Box">The face box in the frame's pixels, margin included, or null for the whole frame (frames that already are face crops).</param>
/// <param name="Face">The face box as detected or given, before the margin; null for the whole frame.</param>
public readonly record struct FaceRegion(int TrackId, FaceBox? Box, FaceBox? Face = null);
