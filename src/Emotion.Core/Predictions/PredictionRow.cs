using Emotion.Core.Faces;

namespace Emotion.Core.Predictions;

/// <summary>One row of a predictions file: a frame of a video, optionally its time in seconds and the face, and the model's prediction.</summary>
/// <param name="VideoId">The video (or folder, or file) the frame belongs to.</param>
/// <param name="Prediction">The prediction; its <see cref="FramePrediction.FrameNumber"/> is the frame's number in its video.</param>
/// <param name="TimeSeconds">The frame's timestamp, for video input; null for frame folders and images.</param>
/// <param name="Face">The face's box in pixels of the full frame (as detected or given, before any crop margin); null when the frames are face crops already.</param>
/// <param name="TrackId">The face's track (0 when one face is followed); null when the frames are face crops already.</param>
public sealed record PredictionRow(string VideoId, FramePrediction Prediction, double? TimeSeconds = null, FaceBox? Face = null, int? TrackId = null);
