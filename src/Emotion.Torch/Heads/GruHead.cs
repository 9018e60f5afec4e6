using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Heads;

/// <summary>
/// A GRU head: submodule <c>rnn</c> = <c>nn.GRU(F, hidden, layers, batch_first: true, dropout, bidirectional)</c>, with
/// PyTorch's parameter names and gate layout (<c>weight_ih_l0</c> rows ordered r, z, n).
/// </summary>
public sealed class GruHead : RecurrentHead
{
    private readonly TorchSharp.Modules.GRU rnn;

    /// <summary>Creates the head.</summary>
    public GruHead(HeadSpec spec, int inputWidth) : base("GruHead", spec, inputWidth)
    {
        if (spec.Kind != RecurrentKind.Gru) throw new ArgumentException($"GruHead needs a Gru spec, got {spec.Kind}.", nameof(spec));
        rnn = nn.GRU(inputWidth, spec.Hidden, spec.Layers, batchFirst: true, dropout: spec.Dropout, bidirectional: spec.Bidirectional);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override int OutputWidth => Spec.Hidden * (Spec.Bidirectional ? 2 : 1);

    /// <summary>Runs the GRU over <c>[B, T, F]</c>, optionally from a previous chunk's state.</summary>
    public override (Tensor Output, RecurrentState? State) forward(Tensor features, RecurrentState? state)
    {
        CheckInput(features, state);
        if (state is not null) CheckState(state.Hidden, features.shape[0], "GRU hidden");
        using var scope = NewDisposeScope();
        var (output, hidden) = rnn.call(features.contiguous(), state?.Hidden);
        var result = Reduce(output).MoveToOuterDisposeScope();
        return (result, new RecurrentState(hidden.MoveToOuterDisposeScope()));
    }
}
