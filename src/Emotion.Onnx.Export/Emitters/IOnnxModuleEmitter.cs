using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// Writes the ONNX nodes for one kind of TorchSharp module. Register an implementation in
/// <see cref="OnnxExportOptions.CustomEmitters"/> to export a custom backbone or layer the library does not know; it is
/// consulted before the built-in emitters.
/// </summary>
public interface IOnnxModuleEmitter
{
    /// <summary>Whether this emitter handles <paramref name="module"/>.</summary>
    bool CanEmit(nn.Module module);

    /// <summary>Emits the module's forward pass (in eval mode) on <paramref name="input"/> and returns the output value.</summary>
    /// <param name="module">The module (one for which <see cref="CanEmit"/> returned true).</param>
    /// <param name="input">The input value; its batch axis is dynamic.</param>
    /// <param name="path">The module's dotted path in the model (a prefix for initializer names).</param>
    /// <param name="emitter">The dispatcher, to emit child modules and to reach the graph builder.</param>
    OnnxValue Emit(nn.Module module, OnnxValue input, string path, OnnxModuleEmitter emitter);
}
