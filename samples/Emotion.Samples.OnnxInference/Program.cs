// Predict emotions for a folder of face frames with an exported model, resolved from dependency injection.
// Usage: dotnet run -- MODEL.onnx FRAMES_FOLDER
//   samples/Emotion.Samples.Training writes such a model (emotion-sample/emotion.onnx) and frame folders
//   (emotion-sample/data/cropped_aligned/<video>), and prints the command line that runs this program on them;
//   'emotion export --model CHECKPOINT --out MODEL.onnx' makes one from any checkpoint.
// This program references no TorchSharp package: an inference-only application never downloads libtorch.
using Emotion.Onnx;
using Emotion.Onnx.Smoothing;
using Emotion.Preprocessing.Frames;
using Microsoft.Extensions.DependencyInjection;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Emotion.Samples.OnnxInference MODEL.onnx FRAMES_FOLDER");
    return 2;
}
string modelPath = args[0], folder = args[1];

var services = new ServiceCollection();
services.AddEmotionRecognition(o => o
    .UseOnnxModel(modelPath)
    .UseSmoothing(new PredictionSmootherOptions { Method = SmoothingMethod.Exponential, Alpha = 0.3f }));
// Frames of another size than the model's are resized when they have its aspect ratio (o.ResizeFrames = null, the
// default); set o.ResizeFrames = true to stretch others too, false to accept only the model's size.

try
{
    using var provider = services.BuildServiceProvider();
    var predictor = provider.GetRequiredService<IEmotionPredictor>();  // one shared, thread-safe ONNX Runtime session

    Console.WriteLine($"model: {predictor.ModelInfo?.Task} on {predictor.FrameWidth}x{predictor.FrameHeight} faces, " +
                      $"categories {string.Join(", ", predictor.Categories)}");
    if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Frame folder '{folder}' does not exist.");
    if (Directory.EnumerateFiles(folder).Where(FrameSources.IsImageFile).Order(StringComparer.Ordinal).FirstOrDefault() is { } first)
    {
        using var image = FrameDecoder.Decode(first);
        // Says what prediction will do with frames of this size (and throws its error now if it would refuse them).
        string how = predictor.CheckFrameSize(image.Width, image.Height) switch
        {
            FrameResize.None => "used as they are",
            FrameResize.Scale => $"scaled to {predictor.FrameWidth}x{predictor.FrameHeight} (same aspect ratio)",
            _ => $"stretched to {predictor.FrameWidth}x{predictor.FrameHeight}",
        };
        Console.WriteLine($"frames: {image.Width}x{image.Height} pixels, {how}");
    }
    foreach (var p in predictor.PredictFolder(folder))
        Console.WriteLine($"frame {p.FrameNumber,5}: {p.Category,-10} p={p.Confidence:0.00}  valence {p.Valence:+0.00;-0.00}  arousal {p.Arousal:+0.00;-0.00}");
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOnnxModelException
                              or ExecutionProviderUnavailableException or ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
{
    // Expected failures (a missing model or folder, a file that is no model, a frame the model cannot take): one line.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
