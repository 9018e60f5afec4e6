namespace Emotion.Onnx.Export;

/// <summary>Which engine runs a TorchSharp model's predictions (<see cref="CheckpointPredictor"/>).</summary>
public enum InferenceBackend
{
    /// <summary>
    /// ONNX Runtime on an in-memory export of the model when the model is on the CPU, exports, and ONNX Runtime opens it
    /// (about 2-3x faster on the CPU than TorchSharp: docs/benchmarks.md); otherwise TorchSharp, with the reason in
    /// <see cref="CheckpointPredictor.FallbackReason"/>.
    /// </summary>
    Auto,

    /// <summary>TorchSharp (<c>Emotion.Torch.Inference.FrameSequencePredictor</c>) on the model itself.</summary>
    Torch,

    /// <summary>ONNX Runtime on an in-memory ONNX export of the model; a model that cannot be exported is an error.</summary>
    OnnxRuntime,
}
