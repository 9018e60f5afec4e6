using Emotion.FaceDetection.Tracking;
using Emotion.Video;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Emotion.Core.Predictions;

namespace Emotion.Onnx.Video;

/// <summary>
/// Emotion predictions for whole videos: frames (decoded by <see cref="VideoReader"/>, or any frame sequence) -> faces
/// (<see cref="VideoPredictionOptions"/>: whole frames, a box table, or a detector with tracking) -> one
/// <see cref="EmotionStream"/> per face, with the recurrent state carried from frame to frame -> one
/// <see cref="PredictionRow"/> per face and frame, with the frame's time. The gap rule
/// (<see cref="Emotion.Core.Sequences.FrameGaps"/>) applies per face: a face's stream is reset after frames where it was
/// not found (a track that loses its face for some frames, frames without a box in the table, one-face mode's frames
/// without a face), as it is reset when its track ends or at a shot cut. Everything is lazy: a frame is decoded, cropped
/// and predicted when the rows are enumerated, and each row comes out as soon as its chunk is predicted, so memory stays
/// flat for a video of any length.
/// <code>
/// using var predictor = new EmotionPredictor("model.onnx");
/// using var detector = new BlazeFaceDetector("blazeface.onnx");
/// var video = new VideoEmotionPredictor(predictor, new VideoPredictionOptions { Detector = detector });
/// foreach (PredictionRow row in video.PredictVideo("clip.mp4")) { ... }
/// </code>
/// Thread-safe when its options' detector is: every call has its own tracker and streams.
/// </summary>
public sealed class VideoEmotionPredictor : IVideoEmotionPredictor
{
    private readonly ILogger logger;

    /// <summary>Creates the video predictor on <paramref name="predictor"/> (not owned: the caller disposes it).</summary>
    /// <param name="predictor">The frame-level predictor.</param>
    /// <param name="options">Where faces come from (whole frames when null).</param>
    /// <param name="logger">Where the predictor reports (null for nowhere): a warning when a video ends before the frames
    /// its container declares, and a summary per predicted video (frames, rows, frames without a face, face tracks).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public VideoEmotionPredictor(EmotionPredictor predictor, VideoPredictionOptions? options = null, ILogger? logger = null)
    {
        Predictor = predictor ?? throw new ArgumentNullException(nameof(predictor));
        Options = (options ?? VideoPredictionOptions.Default).Validate();
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The frame-level predictor.</summary>
    public EmotionPredictor Predictor { get; }

    IEmotionPredictor IVideoEmotionPredictor.Predictor => Predictor;

    /// <summary>Where faces come from.</summary>
    public VideoPredictionOptions Options { get; }

    /// <summary>
    /// Decodes the video at <paramref name="path"/> with ffmpeg and predicts it; the rows' video id is the file name
    /// without extension (plus <c>_face{track}</c> with <see cref="VideoPredictionOptions.AllFaces"/>). The frames the
    /// reader keeps are consecutive for the gap rule (<see cref="PredictionFrame.SequenceNumber"/> counts them), so sampling
    /// every k-th frame or a target rate does not reset the state; frames where a face is missing still do.
    /// </summary>
    /// <param name="path">A video file (mp4, avi, mkv, webm, ... whatever ffmpeg decodes).</param>
    /// <param name="readerOptions">Frame sampling (every frame, every k-th, a target rate), a frame limit and the ffmpeg folder.</param>
    /// <param name="cancellationToken">Stops decoding (ffmpeg is killed) and prediction.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FFmpegNotFoundException">ffmpeg/ffprobe are not installed (the message says how to install them).</exception>
    /// <exception cref="VideoDecodeException">The file is not a video ffmpeg can decode.</exception>
    public IEnumerable<PredictionRow> PredictVideo(string path, VideoReaderOptions? readerOptions = null, CancellationToken cancellationToken = default)
    {
        var reader = new VideoReader(path, readerOptions); // probes now: a bad file fails here, not at the first row
        reader.EndedEarly += (_, e) => logger.LogWarning("{Message}", e.Message);
        string videoId = System.IO.Path.GetFileNameWithoutExtension(path);
        return Predict(Frames(reader, cancellationToken), videoId, cancellationToken);

        static IEnumerable<PredictionFrame> Frames(VideoReader reader, CancellationToken cancellationToken)
        {
            int kept = 0;
            foreach (var frame in reader.ReadFrames(cancellationToken))
                yield return new PredictionFrame(frame.FrameNumber, frame.TimeSeconds, frame.Image) { SequenceNumber = ++kept };
        }
    }

    /// <summary>Predicts a sequence of frames of one video (or frame folder) whose rows carry <paramref name="videoId"/>.</summary>
    /// <param name="frames">The frames in order; each image is only read, and only until the next frame is requested.</param>
    /// <param name="videoId">The rows' video id, also the key into <see cref="VideoPredictionOptions.FaceBoxes"/>.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="ArgumentException">The face box table has no boxes for <paramref name="videoId"/>.</exception>
    public IEnumerable<PredictionRow> Predict(IEnumerable<PredictionFrame> frames, string videoId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var faces = new FaceRegionFinder(Options, videoId); // validates before enumeration starts
        return Rows(frames, faces, videoId, cancellationToken);
    }

    private IEnumerable<PredictionRow> Rows(IEnumerable<PredictionFrame> frames, FaceRegionFinder faces, string videoId, CancellationToken cancellationToken)
    {
        string StreamId(int track) => faces.MultipleFaces ? $"{videoId}_face{track}" : videoId;
        // With BatchFaces the tracks' streams form a group whose full chunks run in one call per frame (EmotionStreamGroup).
        using var group = Options.BatchFaces ? new EmotionStreamGroup(Predictor) : null;
        var byStream = new Dictionary<EmotionStream, TrackPredictionStream>(ReferenceEqualityComparer.Instance);
        using var streams = new TrackStreams<TrackPredictionStream>(track =>
        {
            if (group is null) return new TrackPredictionStream(Predictor, StreamId(track));
            var opened = new TrackPredictionStream(group, StreamId(track));
            byStream[opened.Stream] = opened;
            return opened;
        });
        var summary = new PredictionSummary(logger, videoId);
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var regions = faces.Find(frame);
            summary.Frame(regions);
            foreach (int ended in faces.EndedTrackIds)
            {
                if (!streams.OpenTrackIds.Contains(ended)) continue;
                foreach (var row in streams[ended].Complete()) yield return row;
                byStream.Remove(streams[ended].Stream);
            }
            streams.Close(faces.EndedTrackIds);
            foreach (var region in regions)
                foreach (var row in streams[region.TrackId].Push(frame, region)) yield return row;
            if (group is null) continue;
            foreach (var (stream, predictions) in group.RunReady())
                foreach (var row in byStream[stream].RowsOf(predictions)) yield return row;
        }
        foreach (int track in streams.OpenTrackIds.Order().ToList())
            foreach (var row in streams[track].Complete()) yield return row;
        summary.Log();
    }

    /// <summary>What one complete enumeration saw, for the log: frames without a face are otherwise skipped without a trace.</summary>
    private sealed class PredictionSummary(ILogger logger, string videoId)
    {
        private readonly HashSet<int> tracks = [];
        private int frames, faces, withoutFace;

        public void Frame(IReadOnlyList<FaceRegion> regions)
        {
            frames++;
            faces += regions.Count;
            if (regions.Count == 0) withoutFace++;
            foreach (var region in regions) tracks.Add(region.TrackId);
        }

        public void Log()
        {
            if (withoutFace > 0 && withoutFace == frames)
                logger.LogWarning("Video {VideoId}: no face in any of its {Frames} frames; no prediction was made", videoId, frames);
            else
                logger.LogInformation("Video {VideoId}: {Frames} frames, {Faces} faces predicted in {Streams} streams, {WithoutFace} frames without a face",
                    videoId, frames, faces, tracks.Count, withoutFace);
        }
    }
}
