using Emotion.Onnx.Export;
using Emotion.Onnx.Video;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Transforms;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Core.Predictions;

namespace Emotion.Cli.Workflows;

/// <summary>
/// The checkpoint counterpart of <see cref="VideoEmotionPredictor"/> (which serves ONNX models): frames -> face regions
/// -> per-frame predictions of a checkpoint (on TorchSharp or, through an in-memory export, ONNX Runtime) -> rows, lazily,
/// following one face.
/// </summary>
public static class StreamingPrediction
{
    /// <summary>
    /// The rows of a TorchSharp checkpoint over <paramref name="input"/>, one face: each frame (cropped to its face) is
    /// copied into an in-memory frame source for the <see cref="CheckpointPredictor"/> (on either backend), which predicts chunk by chunk with
    /// the recurrent state carried; the copies are released as their predictions come out. The predictor sees each frame's
    /// <see cref="PredictionFrame.EffectiveSequenceNumber"/>, so it resets the state where frames without a face (or, in a
    /// frame folder, missing files) leave a gap (<see cref="Emotion.Core.Sequences.FrameGaps"/>), and where the followed
    /// face's stream ends (another person, a shot cut), as the ONNX <see cref="VideoEmotionPredictor"/> does; the rows
    /// carry the frames' own numbers.
    /// </summary>
    /// <exception cref="ArgumentException">The finder yields several faces per frame (use an ONNX model for that).</exception>
    public static IEnumerable<PredictionRow> Checkpoint(CheckpointPredictor predictor, PredictionInput input, FaceRegionFinder faces,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.MultipleFaces) throw new ArgumentException("Several faces per frame need an ONNX model.", nameof(faces));
        var pending = new Queue<(int Number, int SequenceNumber, double? Time, Image<Rgb24> Image, FaceRegion Region)>();
        try
        {
            foreach (var p in predictor.Predict(Frames(), cancellationToken))
            {
                var (number, sequenceNumber, time, image, region) = pending.Dequeue();
                image.Dispose();
                if (sequenceNumber != p.FrameNumber)
                    throw new InvalidOperationException($"Internal error: prediction for frame {p.FrameNumber} arrived where frame {sequenceNumber} was expected.");
                yield return new PredictionRow(input.VideoId, p with { FrameNumber = number }, time, region.Face, region.Face is null ? null : region.TrackId);
            }
        }
        finally
        {
            while (pending.Count > 0) pending.Dequeue().Image.Dispose();
        }

        IEnumerable<NumberedFrame> Frames()
        {
            int shift = 0;
            foreach (var frame in input.Frames(cancellationToken))
            {
                var regions = faces.Find(frame);
                // The followed face's stream ends (another person, a shot cut): skipping one number makes the predictor start a
                // new sequence, as the ONNX path completes the stream.
                if (faces.EndedTrackIds.Contains(0)) shift++;
                if (regions.Count == 0) continue;
                int sequenceNumber = frame.EffectiveSequenceNumber + shift;
                var image = regions[0].Box is { } box
                    ? frame.Image.Clone(c => c.Crop(box.ClampTo(frame.Image.Width, frame.Image.Height)))
                    : frame.Image.Clone();
                pending.Enqueue((frame.Number, sequenceNumber, frame.TimeSeconds, image, regions[0]));
                yield return new NumberedFrame(sequenceNumber, new InMemoryFrameSource(image, $"frame {frame.Number} of '{input.Path}'"));
            }
        }
    }
}
