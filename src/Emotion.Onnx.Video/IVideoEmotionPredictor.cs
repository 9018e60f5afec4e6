using Emotion.Video;
using Emotion.Core.Predictions;

namespace Emotion.Onnx.Video;

/// <summary>
/// Emotion predictions for whole videos: one <see cref="PredictionRow"/> per face and frame, streamed. Implemented by
/// <see cref="VideoEmotionPredictor"/>; depend on this interface to replace it with a fake in tests.
/// </summary>
public interface IVideoEmotionPredictor
{
    /// <summary>The frame-level predictor the rows come from (its <see cref="IEmotionPredictor.Categories"/> order the probabilities).</summary>
    IEmotionPredictor Predictor { get; }

    /// <summary>Decodes the video at <paramref name="path"/> and predicts it; the rows' video id is the file name without extension.</summary>
    /// <param name="path">A video file (whatever ffmpeg decodes).</param>
    /// <param name="readerOptions">Frame sampling, a frame limit and the ffmpeg folder.</param>
    /// <param name="cancellationToken">Stops decoding and prediction.</param>
    IEnumerable<PredictionRow> PredictVideo(string path, VideoReaderOptions? readerOptions = null, CancellationToken cancellationToken = default);

    /// <summary>Predicts a sequence of frames of one video whose rows carry <paramref name="videoId"/>.</summary>
    /// <param name="frames">The frames in order.</param>
    /// <param name="videoId">The rows' video id.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    IEnumerable<PredictionRow> Predict(IEnumerable<PredictionFrame> frames, string videoId, CancellationToken cancellationToken = default);
}
