using System.Collections.Immutable;

namespace Emotion.Torch.Losses;

/// <summary>A loss read back to the host: the weighted total and each term's unweighted value by name.</summary>
/// <param name="Total">The weighted total.</param>
/// <param name="Terms">Unweighted term values by name (<c>ce</c>, <c>ccc</c>, <c>mse</c>).</param>
public sealed record LossValues(double Total, ImmutableDictionary<string, double> Terms)
{
    /// <summary>A zero loss without terms.</summary>
    public static LossValues Zero { get; } = new(0, ImmutableDictionary<string, double>.Empty);
}
