namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>The names of the benchmarked inference backends as printed in tables.</summary>
public static class BackendNames
{
    /// <summary>The library's TorchSharp model (<c>Emotion.Torch.Models.EmotionModel</c>).</summary>
    public const string TorchSharp = "TorchSharp";

    /// <summary>The exported graph on ONNX Runtime (<c>Emotion.Onnx.EmotionPredictor</c>).</summary>
    public const string OnnxRuntime = "ONNX Runtime";
}
