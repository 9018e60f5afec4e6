using System.Diagnostics;
using Emotion.Core;
using Emotion.FaceDetection;
using Emotion.Extensions.DependencyInjection;
using Emotion.Onnx;
using Emotion.Onnx.Video;
using Emotion.Preprocessing.Frames;
using Emotion.Visualization.Coloring;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using Emotion.Core.Faces;

namespace Emotion.Samples.WebApi;

/// <summary>
/// Encoded image bytes -> checked header (format, pixel count) -> decoded RGB -> faces (the registered
/// <see cref="IFaceDetector"/>) -> one emotion prediction per face (the registered <see cref="IEmotionPredictor"/>, the face
/// box grown by the video predictor's margin, <c>EmotionRecognition:Video:Margin</c> (default 0.2), and cropped), all faces
/// of the photo in one batched ONNX Runtime call (<see cref="IEmotionPredictor.PredictFaces"/>).
/// Thread-safe: the predictor and detector are.
/// </summary>
public sealed class FacePredictionService
{
    /// <summary>Why the response never carries a Grad-CAM overlay.</summary>
    public const string GradCamReason =
        "Grad-CAM needs the gradients of the model's activations, which ONNX Runtime inference does not compute, and this " +
        "service runs an ONNX model without TorchSharp. Grad-CAM overlays come from the TorchSharp model: " +
        "Emotion.Torch.Interpretability's EmotionExplainer, or 'emotion explain' for a trained checkpoint (docs/interpretability.md).";

    // Single-frame formats only: ImageSharp 2.1 decodes every frame of a GIF, WebP or TIFF, and has no option to stop at
    // the first, so a many-frame image would multiply the memory the pixel limit allows.
    private static readonly IImageFormat[] Accepted = [JpegFormat.Instance, PngFormat.Instance, BmpFormat.Instance];

    private readonly IFaceDetector detector;
    private readonly WebApiOptions options;
    private readonly float margin;

    /// <summary>Creates the service on the registered models.</summary>
    /// <exception cref="InvalidOperationException">A <see cref="WebApiOptions"/> setting is out of range (the message names it).</exception>
    public FacePredictionService(IEmotionPredictor predictor, IFaceDetector detector, IOptions<WebApiOptions> options, IOptions<EmotionRecognitionOptions> emotion)
    {
        Predictor = predictor;
        this.detector = detector;
        this.options = options.Value.Validate();
        // The margin of the library's face crops (validated with the other EmotionRecognition settings): the photos are
        // cropped as the video predictor crops the frames of a video.
        margin = emotion.Value.Video.Margin ?? VideoPredictionOptions.DefaultDetectorMargin;
        ValenceArousal = !predictor.PredictsValenceArousal ? "none"
            : predictor.ModelInfo?.ValenceArousalSource == ValenceArousalSource.CategoryExpectation ? "estimated-from-categories"
            : "regressed";
    }

    /// <summary>The emotion model.</summary>
    public IEmotionPredictor Predictor { get; }

    /// <summary>How valence/arousal are produced (see <see cref="PredictResponse.ValenceArousal"/>).</summary>
    public string ValenceArousal { get; }

    /// <summary>Checks, decodes and predicts one encoded image.</summary>
    /// <exception cref="BadImageRequestException">Not an accepted image, too many pixels, truncated or damaged.</exception>
    public PredictResponse Predict(byte[] encoded)
    {
        var clock = Stopwatch.StartNew();
        var format = CheckHeader(encoded);
        using var image = Decode(encoded);
        var faces = detector.Detect(image);
        // Every face of the photo in one batched ONNX Runtime call (IEmotionPredictor.PredictFaces).
        var boxes = new FaceBox[faces.Count];
        for (int i = 0; i < boxes.Length; i++) boxes[i] = faces[i].Box.Expand(margin);
        var predictions = Predictor.PredictFaces(image, boxes);
        var results = new List<FaceResult>(faces.Count);
        for (int i = 0; i < faces.Count; i++) results.Add(ToResult(faces[i], predictions[i], image.Width, image.Height));
        return new PredictResponse(new ImageInfo(image.Width, image.Height, format.Name), results, ValenceArousal,
            new GradCamInfo(false, GradCamReason), Math.Round(clock.Elapsed.TotalMilliseconds, 2));
    }

    /// <summary>Reads the format and size from the header alone (no pixels are decoded) and applies the limits.</summary>
    private IImageFormat CheckHeader(byte[] encoded)
    {
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(FrameDecoder.Configuration, encoded, out format);
        }
        catch (Exception e) when (e is InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw Bad($"The image header is damaged ({e.Message}).");
        }
        if (info is null || format is null)
            throw Bad($"The body ({encoded.Length} bytes{Starting(encoded)}) is not an image in a format this server reads (JPEG, PNG, BMP).");
        if (!Accepted.Contains(format))
            throw Bad($"{format.Name} images are not accepted: send a JPEG, PNG or BMP (one frame).");
        long pixels = (long)info.Width * info.Height;
        if (pixels > options.MaxPixels)
            throw Bad($"The image is {info.Width} x {info.Height} pixels ({pixels / 1e6:0.0} megapixels); this server accepts at most " +
                      $"{options.MaxPixels / 1e6:0.0} megapixels (WebApi:MaxPixels): downscale it first.");
        if (info.Width <= 0 || info.Height <= 0)
            throw Bad($"The image header gives an empty size ({info.Width} x {info.Height}).");
        return format;
    }

    private static Image<SixLabors.ImageSharp.PixelFormats.Rgb24> Decode(byte[] encoded)
    {
        try
        {
            // FrameDecoder checks the bytes' integrity first: a truncated or damaged JPEG/PNG is an error, not grey pixels.
            return FrameDecoder.Decode(encoded, "the uploaded image");
        }
        catch (FrameDecodeException e)
        {
            throw Bad(e.Message);
        }
    }

    private FaceResult ToResult(DetectedFace face, FramePrediction prediction, int width, int height)
    {
        var box = Clip(face.Box, width, height);
        var categories = Predictor.Categories;
        var probabilities = new List<CategoryProbability>(categories.Length);
        foreach (var category in categories)
            probabilities.Add(new CategoryProbability(category.ToString(), prediction.Probabilities[(int)category]));
        var color = prediction.Category is { } c ? CategoryPalette.Of(c) : CategoryPalette.Of(EmotionCategory.Neutral);
        return new FaceResult(box, face.Score, prediction.Category?.ToString(), prediction.Confidence,
            $"#{color.R:x2}{color.G:x2}{color.B:x2}", probabilities, prediction.Valence, prediction.Arousal);
    }

    /// <summary>The detector's box cut to the image (BlazeFace boxes can reach past an edge for a face at the border).</summary>
    private static Box Clip(FaceBox box, int width, int height)
    {
        float left = Math.Clamp(box.X, 0, width), top = Math.Clamp(box.Y, 0, height);
        float right = Math.Clamp(box.X + box.Width, 0, width), bottom = Math.Clamp(box.Y + box.Height, 0, height);
        return new Box(left, top, right - left, bottom - top);
    }

    private static string Starting(byte[] bytes)
    {
        int n = Math.Min(8, bytes.Length);
        return n == 0 ? "" : $", starting {Convert.ToHexString(bytes, 0, n)}";
    }

    private static BadImageRequestException Bad(string message) => new(StatusCodes.Status400BadRequest, message);
}
