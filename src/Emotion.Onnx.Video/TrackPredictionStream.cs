using Emotion.Core.Faces;
using Emotion.Core.Predictions;


namespace Emotion.Onnx.Video;

/// <summary>
/// The ONNX prediction stream of one face track (or of the one followed face): an <see cref="EmotionStream"/> with its
/// recurrent state carried from frame to frame, and the timestamps of the frames it has been given, so that each
/// prediction becomes a <see cref="PredictionRow"/> with its frame's time.
/// </summary>
/// <remarks>
/// The gap rule (<see cref="Emotion.Core.Sequences.FrameGaps"/>) reads each frame's
/// <see cref="PredictionFrame.EffectiveSequenceNumber"/>: when the track skipped frames (the face was not found, or had no
/// box, in the frames between), its recurrent state is reset, exactly as if a new stream had started there. The rows
/// keep the frames' own numbers.
/// </remarks>
public sealed class TrackPredictionStream : IDisposable
{
    private readonly EmotionStream stream;
    private readonly Queue<(int Number, int SequenceNumber, double? Time, FaceRegion? Region)> pending = new();

    /// <summary>Opens a stream on <paramref name="predictor"/> whose rows carry <paramref name="videoId"/>.</summary>
    public TrackPredictionStream(EmotionPredictor predictor, string videoId)
    {
        stream = predictor.OpenStream();
        VideoId = videoId;
    }

    /// <summary>
    /// Opens a stream as a member of <paramref name="group"/>: a full chunk waits for the group's
    /// <see cref="EmotionStreamGroup.RunReady"/>, whose predictions for this stream <see cref="RowsOf"/> turns into rows.
    /// </summary>
    public TrackPredictionStream(EmotionStreamGroup group, string videoId)
    {
        ArgumentNullException.ThrowIfNull(group);
        stream = group.Open();
        VideoId = videoId;
    }

    /// <summary>The underlying prediction stream (the key of its predictions in <see cref="EmotionStreamGroup.RunReady"/>).</summary>
    public EmotionStream Stream => stream;

    /// <summary>Turns predictions of this stream's frames returned by its group's run into rows, in order.</summary>
    public IReadOnlyList<PredictionRow> RowsOf(IReadOnlyList<Core.FramePrediction> predictions) => Rows(predictions);

    /// <summary>The id written in the rows' <c>video</c> column.</summary>
    public string VideoId { get; }

    /// <summary>Adds a frame (cropped to <paramref name="box"/> when given); returns the rows that became ready.</summary>
    public IReadOnlyList<PredictionRow> Push(PredictionFrame frame, FaceBox? box)
    {
        pending.Enqueue((frame.Number, frame.EffectiveSequenceNumber, frame.TimeSeconds, null));
        return Rows(stream.Push(frame.Image, frame.EffectiveSequenceNumber, box));
    }

    /// <summary>Adds a frame cropped to a face region; its rows carry the region's face box and track id.</summary>
    public IReadOnlyList<PredictionRow> Push(PredictionFrame frame, FaceRegion region)
    {
        pending.Enqueue((frame.Number, frame.EffectiveSequenceNumber, frame.TimeSeconds, region));
        return Rows(stream.Push(frame.Image, frame.EffectiveSequenceNumber, region.Box));
    }

    /// <summary>Ends the track: predicts the frames still pending and returns their rows.</summary>
    public IReadOnlyList<PredictionRow> Complete() => Rows(stream.Complete());

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();

    private List<PredictionRow> Rows(IReadOnlyList<Core.FramePrediction> predictions)
    {
        var rows = new List<PredictionRow>(predictions.Count);
        foreach (var prediction in predictions)
        {
            // Predictions come out in the order the frames went in, one per frame, numbered as the stream saw them.
            var (number, sequenceNumber, time, region) = pending.Dequeue();
            if (sequenceNumber != prediction.FrameNumber)
                throw new InvalidOperationException($"Internal error: prediction for frame {prediction.FrameNumber} arrived where frame {sequenceNumber} was expected.");
            var p = prediction with { FrameNumber = number };
            rows.Add(region is { Face: { } face } r ? new PredictionRow(VideoId, p, time, face, r.TrackId) : new PredictionRow(VideoId, p, time));
        }
        return rows;
    }
}
