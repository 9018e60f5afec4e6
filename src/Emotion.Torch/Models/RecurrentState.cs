using static TorchSharp.torch;

namespace Emotion.Torch.Models;

/// <summary>
/// The state of a recurrent head between two chunks of a stream: the hidden state <c>h</c>
/// (<c>[layers x directions, B, hidden]</c>) and, for an LSTM, the cell state <c>c</c> of the same shape.
/// </summary>
public sealed class RecurrentState : IDisposable
{
    /// <summary>Creates a state.</summary>
    public RecurrentState(Tensor hidden, Tensor? cell = null)
    {
        Hidden = hidden ?? throw new ArgumentNullException(nameof(hidden));
        Cell = cell;
    }

    /// <summary>The hidden state, <c>[layers x directions, B, hidden]</c>.</summary>
    public Tensor Hidden { get; }

    /// <summary>The LSTM cell state (same shape as <see cref="Hidden"/>), or null for a GRU.</summary>
    public Tensor? Cell { get; }

    /// <summary>Returns a copy detached from the autograd graph (for truncated back-propagation through time).</summary>
    public RecurrentState Detach() => new(Hidden.detach(), Cell?.detach());

    /// <summary>Moves the tensors out of the current dispose scope.</summary>
    public RecurrentState MoveToOuterDisposeScope()
    {
        Hidden.MoveToOuterDisposeScope();
        Cell?.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Hidden.Dispose();
        Cell?.Dispose();
    }
}
