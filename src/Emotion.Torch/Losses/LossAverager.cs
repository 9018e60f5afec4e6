using System.Collections.Immutable;

namespace Emotion.Torch.Losses;

/// <summary>Averages <see cref="LossValues"/> over batches (every batch weighs the same).</summary>
public sealed class LossAverager
{
    private readonly Dictionary<string, double> _terms = new(StringComparer.Ordinal);
    private double _total;

    /// <summary>Batches added.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a batch's loss.</summary>
    public void Add(LossValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _total += values.Total;
        foreach (var (name, value) in values.Terms) _terms[name] = _terms.GetValueOrDefault(name) + value;
        Count++;
    }

    /// <summary>The mean of the batches added (<see cref="LossValues.Zero"/> when none).</summary>
    public LossValues Mean() => Count == 0
        ? LossValues.Zero
        : new LossValues(_total / Count, _terms.ToImmutableDictionary(kv => kv.Key, kv => kv.Value / Count));

    /// <summary>Forgets every batch.</summary>
    public void Reset()
    {
        _terms.Clear();
        _total = 0;
        Count = 0;
    }
}
