using System.Collections.Immutable;
using Emotion.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Onnx;

/// <summary>
/// What an application asks of an emotion model: per-frame predictions for face images, independent images, the frames
/// of one video (with temporal context), and live streams; plus the model's input size and outputs. Implemented by
/// <see cref="EmotionPredictor"/> (ONNX Runtime); depend on this interface to replace the model with a fake in tests
/// (<c>services.AddSingleton&lt;IEmotionPredictor&gt;(fake)</c> after <c>AddEmotionRecognition</c>).
/// </summary>
/// <remarks>
/// Implementations are thread-safe: one instance serves every consumer. Frame numbers are 1-based positions in the
/// input unless the source has its own (frame folders). Left out, because they are tied to the ONNX implementation:
/// <see cref="EmotionPredictor.OpenStream"/> (use <see cref="PredictStream"/> or <see cref="PredictStreamAsync"/>) and
/// <see cref="EmotionPredictor.PredictPreprocessed"/> (tensors in the model's own layout).
/// </remarks>
public interface IEmotionPredictor
{
    /// <summary>The model's description (task, categories, training data), or null for a third-party model.</summary>
    EmotionModelInfo? ModelInfo { get; }

    /// <summary>The categories of <see cref="FramePrediction.Probabilities"/> (index i is category i), or empty when the model predicts none.</summary>
    ImmutableArray<EmotionCategory> Categories { get; }

    /// <summary>Whether predictions carry category probabilities.</summary>
    bool PredictsCategories { get; }

    /// <summary>Whether predictions carry valence and arousal.</summary>
    bool PredictsValenceArousal { get; }

    /// <summary>The model's input width in pixels (face crops are resized to it).</summary>
    int FrameWidth { get; }

    /// <summary>The model's input height in pixels.</summary>
    int FrameHeight { get; }

    /// <summary>
    /// How a frame of <paramref name="width"/> x <paramref name="height"/> pixels, given without a face box, reaches the
    /// model's input size: as it is, scaled, or stretched (see <see cref="EmotionPredictorOptions.ResizeFrames"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Prediction would refuse frames of this size; the message names the option to change.</exception>
    FrameResize CheckFrameSize(int width, int height);

    /// <summary>Predicts one image on its own (a one-frame sequence).</summary>
    /// <param name="image">An RGB face crop of the model's size, or any image with <paramref name="faceBox"/>.</param>
    /// <param name="faceBox">Where the face is, in the image's pixels: the image is cropped to it and resized to the model's size.</param>
    /// <exception cref="ArgumentException">The image is not the model's size, no face box is given and resizing is off.</exception>
    FramePrediction Predict(Image<Rgb24> image, FaceBox? faceBox = null);

    /// <summary>
    /// Predicts several faces of one image (each a one-frame sequence), cropped to their boxes. <see cref="EmotionPredictor"/>
    /// runs them in one batched call; this default implementation calls <see cref="Predict"/> per face (so fakes need not
    /// implement it).
    /// </summary>
    /// <param name="image">The whole image.</param>
    /// <param name="faces">The face boxes, in the image's pixels.</param>
    /// <returns>One prediction per face, in order, numbered 1, 2, ...</returns>
    IReadOnlyList<FramePrediction> PredictFaces(Image<Rgb24> image, IReadOnlyList<FaceBox> faces)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        var results = new List<FramePrediction>(faces.Count);
        for (int i = 0; i < faces.Count; i++) results.Add(Predict(image, faces[i]) with { FrameNumber = i + 1 });
        return results;
    }

    /// <summary>Predicts independent images (each a one-frame sequence, no temporal context).</summary>
    /// <returns>One prediction per image, numbered 1, 2, ... in order.</returns>
    IReadOnlyList<FramePrediction> PredictImages(IReadOnlyList<Image<Rgb24>> images);

    /// <summary>Predicts independent image files (each a one-frame sequence).</summary>
    /// <returns>One prediction per file, numbered 1, 2, ... in order.</returns>
    IReadOnlyList<FramePrediction> PredictImageFiles(IEnumerable<string> paths);

    /// <summary>Predicts the frames of one video, in order, with temporal context (and the configured smoothing, if any).</summary>
    /// <returns>One prediction per frame, numbered 1, 2, ...</returns>
    IReadOnlyList<FramePrediction> PredictSequence(IEnumerable<Image<Rgb24>> frames);

    /// <summary>Predicts a video's frame folder as <see cref="PredictSequence"/> does (files named by frame number, or in name order).</summary>
    /// <returns>One prediction per frame, numbered by the file names (or 1, 2, ... in name order).</returns>
    IReadOnlyList<FramePrediction> PredictFolder(string folder);

    /// <summary>Predicts a stream of frames of one video lazily, with temporal context; memory stays flat.</summary>
    IEnumerable<FramePrediction> PredictStream(IEnumerable<Image<Rgb24>> frames);

    /// <summary>Predicts an asynchronous stream of frames of one video (a live camera, a decoder); memory stays flat.</summary>
    IAsyncEnumerable<FramePrediction> PredictStreamAsync(IAsyncEnumerable<Image<Rgb24>> frames, CancellationToken cancellationToken = default);
}
