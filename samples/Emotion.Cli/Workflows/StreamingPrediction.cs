using Emotion.Onnx.Video;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Frames;
using Emotion.Torch.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Cli.Workflows;

/// <summary>
/// The TorchSharp counterpart of <see cref="VideoEmotionPredictor"/> (which serves ONNX models): frames -> face regions
/// -> per-frame predictions of a checkpoint -> rows, lazily, following one face.
/// </summary>
public static class StreamingPrediction
{
    /// <summary>
    /// The rows of a TorchSharp checkpoint over <paramref name="input"/>, one face: each frame (cropped to its face) is
    /// copied into an in-memory frame source for <see cref="FrameSequencePredictor"/>, which predicts chunk by chunk with
    /// the recurrent state carried; the copies are released as their predictions come out.
    /// </summary>
    /// <exception cref="ArgumentException">The finder yields several faces per frame (use an ONNX model for that).</exception>
    public static IEnumerable<PredictionRow> Checkpoint(FrameSequencePredictor predictor, PredictionInput input, FaceRegionFinder faces,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(faces);
        if (faces.MultipleFaces) throw new ArgumentException("Several faces per frame need an ONNX model.", nameof(faces));
        var pending = new Queue<(int Number, double? Time, Image<Rgb24> Image, FaceRegion Region)>();
        try
        {
            foreach (var p in predictor.Predict(Frames(), cancellationToken))
            {
                var (number, time, image, region) = pending.Dequeue();
                image.Dispose();
                if (number != p.FrameNumber)
                    throw new InvalidOperationException($"Internal error: prediction for frame {p.FrameNumber} arrived where frame {number} was expected.");
                yield return new PredictionRow(input.VideoId, p, time, region.Face, region.Face is null ? null : region.TrackId);
            }
        }
        finally
        {
            while (pending.Count > 0) pending.Dequeue().Image.Dispose();
        }

        IEnumerable<NumberedFrame> Frames()
        {
            foreach (var frame in input.Frames(cancellationToken))
            {
                var regions = faces.Find(frame);
                if (regions.Count == 0) continue;
                var image = regions[0].Box is { } box
                    ? frame.Image.Clone(c => c.Crop(box.ClampTo(frame.Image.Width, frame.Image.Height)))
                    : frame.Image.Clone();
                pending.Enqueue((frame.Number, frame.TimeSeconds, image, regions[0]));
                yield return new NumberedFrame(frame.Number, new InMemoryFrameSource(image, $"frame {frame.Number} of '{input.Path}'"));
            }
        }
    }
}
