namespace Emotion.Core;

/// <summary>
/// The input and output names of an ONNX graph exported by Emotion.Core. Shapes use the symbolic axes
/// <c>batch</c> and <c>time</c>; <c>S = layers x directions</c> of the recurrent head.
/// </summary>
public static class OnnxTensorNames
{
    /// <summary>Input: normalised frames, float32 <c>[batch, time, 3, H, W]</c> (RGB, normalised with the model's mean/std).</summary>
    public const string Frames = "frames";

    /// <summary>Optional input: the recurrent hidden state to start from, float32 <c>[S, batch, hidden]</c> (zeros when omitted).</summary>
    public const string HiddenIn = "h0";

    /// <summary>Optional input (LSTM only): the cell state to start from, float32 <c>[S, batch, hidden]</c>.</summary>
    public const string CellIn = "c0";

    /// <summary>Output: category logits before softmax, float32 <c>[batch, T_out, C]</c> (tasks with categories).</summary>
    public const string Logits = "logits";

    /// <summary>Output: category probabilities (softmax of <see cref="Logits"/> over the last axis), float32 <c>[batch, T_out, C]</c>.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>Output: valence (index 0) and arousal (index 1) in [-1, 1], float32 <c>[batch, T_out, 2]</c> (tasks with VA).</summary>
    public const string ValenceArousal = "valence_arousal";

    /// <summary>Output: features after the recurrent head, float32 <c>[batch, T_out, F]</c> (when exported).</summary>
    public const string Features = "features";

    /// <summary>Output: the recurrent hidden state after the last frame, float32 <c>[S, batch, hidden]</c>.</summary>
    public const string HiddenOut = "hn";

    /// <summary>Output (LSTM only): the cell state after the last frame, float32 <c>[S, batch, hidden]</c>.</summary>
    public const string CellOut = "cn";
}
