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
}
