using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Onnx.Video;

/// <summary>One frame handed to video prediction: a decoded video frame, a frame of a folder, or an image.</summary>
/// <param name="Number">The frame's 1-based number (the decoding position in a video, the file name in a frame folder).</param>
/// <param name="TimeSeconds">The frame's timestamp in seconds for video input; null for images and frame folders.</param>
/// <param name="Image">The RGB pixels; only read, and only until the next frame is requested (sources may reuse it).</param>
public sealed record PredictionFrame(int Number, double? TimeSeconds, Image<Rgb24> Image)
{
    /// <summary>
    /// The frame's position in the sequence the model sees, which the gap rule (<see cref="Emotion.Core.Sequences.FrameGaps"/>)
    /// reads: a face's stream is reset before a frame whose sequence number is not its previous frame's + 1 (a frame where
    /// the face was not found lies between them). Null (the default) means <see cref="Number"/>, so a frame folder without
    /// the frames in which no face was found has gaps there. A sampled video (every k-th frame, a target rate) numbers its
    /// kept frames 1, 2, 3, ... here, so that sampling is not a gap (<see cref="VideoEmotionPredictor.PredictVideo"/> does).
    /// </summary>
    public int? SequenceNumber { get; init; }

    /// <summary>The number the gap rule reads: <see cref="SequenceNumber"/>, or <see cref="Number"/> when it is not set.</summary>
    public int EffectiveSequenceNumber => SequenceNumber ?? Number;
}
