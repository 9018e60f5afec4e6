namespace Emotion.Torch.Heads;

/// <summary>The recurrence of a head.</summary>
public enum RecurrentKind
{
    /// <summary>No recurrence: each frame's CNN features go straight to the output layers (to measure what the RNN adds).</summary>
    None,
    /// <summary>A (multi-layer, optionally bidirectional) GRU, PyTorch's <c>nn.GRU</c>.</summary>
    Gru,
    /// <summary>A (multi-layer, optionally bidirectional) LSTM, PyTorch's <c>nn.LSTM</c>.</summary>
    Lstm,
}
