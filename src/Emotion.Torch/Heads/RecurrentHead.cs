using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Heads;

/// <summary>
/// The temporal part of the model: per-frame features <c>[B, T, F]</c> (and optionally the state left by a previous
/// chunk) to <c>[B, T', OutputWidth]</c> with <c>T' = T</c> for per-frame output or 1 for sequence-to-one, plus the
/// state after the last frame. Implementations: <see cref="GruHead"/>, <see cref="LstmHead"/>, <see cref="IdentityHead"/>.
/// </summary>
public abstract class RecurrentHead : nn.Module<Tensor, RecurrentState?, (Tensor Output, RecurrentState? State)>
{
    /// <summary>Creates a head.</summary>
    protected RecurrentHead(string name, HeadSpec spec, int inputWidth) : base(name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = spec.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(spec));
        if (inputWidth <= 0) throw new ArgumentOutOfRangeException(nameof(inputWidth), inputWidth, "The feature width must be positive.");
        Spec = spec;
        InputWidth = inputWidth;
    }

    /// <summary>The head's description.</summary>
    public HeadSpec Spec { get; }

    /// <summary>The per-frame feature width <c>F</c> the head takes.</summary>
    public int InputWidth { get; }

    /// <summary>The width of each output step (hidden x directions, or the input width without recurrence).</summary>
    public abstract int OutputWidth { get; }

    /// <summary>Whether a stream can be processed chunk by chunk with the state carried over (false for bidirectional heads, whose backward direction needs the future).</summary>
    public virtual bool CanStream => !Spec.Bidirectional;

    /// <summary>Creates the head a spec describes.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static RecurrentHead Create(HeadSpec spec, int inputWidth)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            RecurrentKind.Gru => new GruHead(spec, inputWidth),
            RecurrentKind.Lstm => new LstmHead(spec, inputWidth),
            RecurrentKind.None => new IdentityHead(spec, inputWidth),
            _ => throw new ArgumentException($"Head kind {spec.Kind} is not supported; use Gru, Lstm or None.", nameof(spec)),
        };
    }

    /// <summary>Checks that features are <c>[B, T, InputWidth]</c> and that a given state may be used.</summary>
    /// <exception cref="ArgumentException">Wrong shape or an unusable state.</exception>
    protected void CheckInput(Tensor features, RecurrentState? state)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 3 || features.shape[2] != InputWidth)
            throw new ArgumentException(
                $"The {GetName()} head expects features [B, T, {InputWidth}], got [{string.Join(", ", features.shape)}].", nameof(features));
        if (state is not null && !CanStream)
            throw new InvalidOperationException(
                $"The bidirectional {Spec.Kind} head cannot continue from a state: its backward direction needs the frames that follow. Process whole sequences, or use a unidirectional head for streaming.");
    }

    /// <summary>Applies <see cref="HeadSpec.Output"/>: the sequence as is, its last step or its mean (keeping a time axis of 1).</summary>
    protected Tensor Reduce(Tensor sequence) => Spec.Output switch
    {
        SequenceOutput.LastStep => sequence.narrow(1, sequence.shape[1] - 1, 1),
        SequenceOutput.Mean => sequence.mean([1L], keepdim: true),
        _ => sequence,
    };

    /// <summary>Checks a state's shape: <c>[layers x directions, B, hidden]</c>.</summary>
    /// <exception cref="ArgumentException">The state does not fit.</exception>
    protected void CheckState(Tensor stateTensor, long batch, string what)
    {
        long expectedFirst = (long)Spec.Layers * (Spec.Bidirectional ? 2 : 1);
        if (stateTensor.dim() != 3 || stateTensor.shape[0] != expectedFirst || stateTensor.shape[1] != batch || stateTensor.shape[2] != Spec.Hidden)
            throw new ArgumentException(
                $"The {what} state must be [{expectedFirst}, {batch}, {Spec.Hidden}] (layers x directions, batch, hidden), got [{string.Join(", ", stateTensor.shape)}].",
                nameof(stateTensor));
    }
}
