// Predict emotions for a folder of face frames with an exported model, resolved from dependency injection.
// Usage: dotnet run -- MODEL.onnx FRAMES_FOLDER        (make a model with: emotion export --model CHECKPOINT --out MODEL.onnx)
// This program references no TorchSharp package: an inference-only application never downloads libtorch.
using Emotion.Onnx;
using Emotion.Onnx.Smoothing;
using Microsoft.Extensions.DependencyInjection;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Emotion.Samples.OnnxInference MODEL.onnx FRAMES_FOLDER");
    return 2;
}

var services = new ServiceCollection();
services.AddEmotionRecognition(o => o
    .UseOnnxModel(args[0])
    .UseSmoothing(new PredictionSmootherOptions { Method = SmoothingMethod.Exponential, Alpha = 0.3f }));

using var provider = services.BuildServiceProvider();
var predictor = provider.GetRequiredService<IEmotionPredictor>();  // one shared, thread-safe ONNX Runtime session

Console.WriteLine($"model: {predictor.ModelInfo?.Task} on {predictor.FrameWidth}x{predictor.FrameHeight} faces, " +
                  $"categories {string.Join(", ", predictor.Categories)}");
foreach (var p in predictor.PredictFolder(args[1]))
    Console.WriteLine($"frame {p.FrameNumber,5}: {p.Category,-10} p={p.Confidence:0.00}  valence {p.Valence:+0.00;-0.00}  arousal {p.Arousal:+0.00;-0.00}");
return 0;
