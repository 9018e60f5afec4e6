using Emotion.Core;

namespace Emotion.Torch.Evaluation;

/// <summary>A model's prediction for one frame of a video, with the frame's label (unlabeled parts are missing).</summary>
/// <param name="VideoId">The video.</param>
/// <param name="Prediction">The prediction (its <see cref="FramePrediction.FrameNumber"/> is the frame's number in the video).</param>
/// <param name="Label">The frame's annotation.</param>
public sealed record PredictedFrame(string VideoId, FramePrediction Prediction, FrameLabel Label);
