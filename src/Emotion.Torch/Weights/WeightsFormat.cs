namespace Emotion.Torch.Weights;

/// <summary>The file formats a state dictionary (parameter and buffer tensors by name) can be read from.</summary>
public enum WeightsFormat
{
    /// <summary>TorchSharp's own format (<c>Module.save</c>): an entry count, then per entry the name and the tensor (dtype, shape, raw data).</summary>
    TorchSharp,

    /// <summary>A PyTorch state dictionary written by <c>torch.save(module.state_dict(), path)</c> (zip-based pickle), read through TorchSharp.PyBridge.</summary>
    PyTorch,

    /// <summary>A safetensors file (Hugging Face), read through TorchSharp.PyBridge.</summary>
    Safetensors,

    /// <summary>TensorFlow.js weights: a weights manifest (in <c>model.json</c> or stand-alone) and its binary shards, float32 or uint8/uint16-quantized.</summary>
    TfJs,

    /// <summary>The initializers of an ONNX model file.</summary>
    Onnx,
}
