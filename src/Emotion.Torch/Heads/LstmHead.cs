using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Heads;

/// <summary>
/// An LSTM head: submodule <c>rnn</c> = <c>nn.LSTM(F, hidden, layers, batch_first: true, dropout, bidirectional)</c>, with
/// PyTorch's parameter names and gate layout (<c>weight_ih_l0</c> rows ordered i, f, g, o).
/// </summary>
public sealed class LstmHead : RecurrentHead
{
    private readonly TorchSharp.Modules.LSTM rnn;

    /// <summary>Creates the head.</summary>
    public LstmHead(HeadSpec spec, int inputWidth) : base("LstmHead", spec, inputWidth)
    {
        if (spec.Kind != RecurrentKind.Lstm) throw new ArgumentException($"LstmHead needs an Lstm spec, got {spec.Kind}.", nameof(spec));
        rnn = nn.LSTM(inputWidth, spec.Hidden, spec.Layers, batchFirst: true, dropout: spec.Dropout, bidirectional: spec.Bidirectional);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override int OutputWidth => Spec.Hidden * (Spec.Bidirectional ? 2 : 1);

    /// <summary>Runs the LSTM over <c>[B, T, F]</c>, optionally from a previous chunk's state (hidden and cell).</summary>
    public override (Tensor Output, RecurrentState? State) forward(Tensor features, RecurrentState? state)
    {
        CheckInput(features, state);
        if (state is not null)
        {
            if (state.Cell is null) throw new ArgumentException("An LSTM state needs its cell tensor; pass the State of a previous LSTM output.", nameof(state));
            CheckState(state.Hidden, features.shape[0], "LSTM hidden");
            CheckState(state.Cell, features.shape[0], "LSTM cell");
        }
        using var scope = NewDisposeScope();
        // libtorch's oneDNN LSTM kernel, which it picks when gradients are disabled, returns wrong values for many hidden
        // sizes on some CPUs (found on AMD EPYC with TorchSharp 0.107: errors of 0.05-0.5 at hidden 4, 100, 129; none at
        // 32, 64, 128). With grad mode on it uses the reference kernel, which matches PyTorch; so run it that way and
        // detach the results (without trainable inputs no graph is recorded).
        bool gradientsOff = !is_grad_enabled();
        Tensor output, hidden, cell;
        using (gradientsOff ? enable_grad() : null)
        {
            (output, hidden, cell) = rnn.call(features.contiguous(), state is null ? null : (state.Hidden, state.Cell!));
        }
        if (gradientsOff)
        {
            output = output.detach();
            hidden = hidden.detach();
            cell = cell.detach();
        }
        var result = Reduce(output).MoveToOuterDisposeScope();
        return (result, new RecurrentState(hidden.MoveToOuterDisposeScope(), cell.MoveToOuterDisposeScope()));
    }
}
