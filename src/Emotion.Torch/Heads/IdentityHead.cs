using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Heads;

/// <summary>
/// The "no recurrence" head: per-frame CNN features pass unchanged (or pooled to one step for sequence-to-one output)
/// to the output layers. It has no parameters and no state.
/// </summary>
public sealed class IdentityHead : RecurrentHead
{
    /// <summary>Creates the head.</summary>
    public IdentityHead(HeadSpec spec, int inputWidth) : base("IdentityHead", spec, inputWidth)
    {
        if (spec.Kind != RecurrentKind.None) throw new ArgumentException($"IdentityHead needs a None spec, got {spec.Kind}.", nameof(spec));
    }

    /// <inheritdoc />
    public override int OutputWidth => InputWidth;

    /// <inheritdoc />
    public override bool CanStream => true;

    /// <summary>Returns the features (reduced per <see cref="HeadSpec.Output"/>); a state is not accepted.</summary>
    public override (Tensor Output, RecurrentState? State) forward(Tensor features, RecurrentState? state)
    {
        CheckInput(features, null);
        if (state is not null)
            throw new ArgumentException("A head without recurrence has no state to continue from; pass null.", nameof(state));
        // Alias rather than return the caller's tensor, so that disposing the output leaves the input alive.
        return (Spec.Output == SequenceOutput.PerFrame ? features.alias() : Reduce(features), null);
    }
}
