namespace Emotion.Onnx.Models;

/// <summary>
/// A recurrent state carried from one run to the next: the graph input that receives it (for example <c>h0</c>) and the
/// graph output that returns it after the last frame (for example <c>hn</c>), both <c>[S, batch, hidden]</c>.
/// </summary>
/// <param name="InputName">The state input.</param>
/// <param name="OutputName">The matching final-state output.</param>
public readonly record struct OnnxStateBinding(string InputName, string OutputName);
