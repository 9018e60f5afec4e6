using System.Collections.Immutable;
using SixLabors.ImageSharp;
using Emotion.Core.Faces;

namespace Emotion.FaceDetection;

/// <summary>One detected face.</summary>
/// <param name="Box">The face box in pixel coordinates of the image that was searched.</param>
/// <param name="Score">The detector's confidence in [0, 1].</param>
/// <param name="Keypoints">Facial keypoints in pixel coordinates where the detector gives them (BlazeFace: right eye, left eye,
/// nose tip, mouth centre, right ear tragion, left ear tragion, from the subject's point of view); empty otherwise.</param>
public sealed record DetectedFace(FaceBox Box, float Score, ImmutableArray<PointF> Keypoints);
