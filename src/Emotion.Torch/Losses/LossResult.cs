using System.Collections.Immutable;
using static TorchSharp.torch;

namespace Emotion.Torch.Losses;

/// <summary>
/// The loss of one batch: the weighted total (a scalar tensor to back-propagate) and each term's unweighted value (scalar
/// tensors, for logging). Disposing releases every tensor.
/// </summary>
public sealed class LossResult : IDisposable
{
    /// <summary>Creates a result.</summary>
    public LossResult(Tensor total, ImmutableArray<(string Name, double Weight, Tensor Value)> terms)
    {
        Total = total ?? throw new ArgumentNullException(nameof(total));
        Terms = terms;
    }

    /// <summary><c>sum_i weight_i * term_i</c>, a scalar connected to the model's outputs.</summary>
    public Tensor Total { get; }

    /// <summary>Each term's name (<c>ce</c>, <c>ccc</c>, <c>mse</c>; suffixed <c>_2</c>, ... when a kind repeats), weight and unweighted value.</summary>
    public ImmutableArray<(string Name, double Weight, Tensor Value)> Terms { get; }

    /// <summary>Reads the total and the unweighted terms to the host (one device synchronisation).</summary>
    public LossValues ToValues()
    {
        using var scope = NewDisposeScope();
        var builder = ImmutableDictionary.CreateBuilder<string, double>();
        foreach (var (name, _, value) in Terms) builder[name] = value.detach().cpu().item<float>();
        return new LossValues(Total.detach().cpu().item<float>(), builder.ToImmutable());
    }

    /// <summary>Moves every tensor out of the current dispose scope.</summary>
    public LossResult MoveToOuterDisposeScope()
    {
        Total.MoveToOuterDisposeScope();
        foreach (var term in Terms) term.Value.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Total.Dispose();
        foreach (var term in Terms) term.Value.Dispose();
    }
}
