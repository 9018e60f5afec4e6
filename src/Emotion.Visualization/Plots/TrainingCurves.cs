using System.Collections.Immutable;

namespace Emotion.Visualization.Plots;

/// <summary>
/// A training history as plain per-epoch curves (losses and metrics), independent of the trainer that produced it:
/// build one from any history with <see cref="Add"/>.
/// </summary>
/// <param name="Curves">The curves, in legend order.</param>
public sealed record TrainingCurves(ImmutableArray<TrainingCurve> Curves)
{
    /// <summary>No curves.</summary>
    public static TrainingCurves Empty { get; } = new(ImmutableArray<TrainingCurve>.Empty);

    /// <summary>Returns these curves with one more.</summary>
    /// <param name="name">The legend label.</param>
    /// <param name="values">The value per epoch (NaN where not measured).</param>
    /// <param name="kind">Loss or metric.</param>
    /// <param name="firstEpoch">The epoch number of the first value.</param>
    public TrainingCurves Add(string name, IReadOnlyList<double> values, TrainingCurveKind kind = TrainingCurveKind.Metric, int firstEpoch = 1) =>
        new(Curves.Add(new TrainingCurve(name, values, kind, firstEpoch)));

    /// <summary>The curves of one kind.</summary>
    public IEnumerable<TrainingCurve> OfKind(TrainingCurveKind kind) => Curves.Where(c => c.Kind == kind);

    /// <summary>Checks the curves and returns this instance.</summary>
    /// <exception cref="ArgumentException">A curve has no name, a duplicate name, no values, or an infinite value.</exception>
    public TrainingCurves Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var curve in Curves.IsDefault ? [] : Curves)
        {
            if (curve is null) throw new ArgumentException("A training curve is null.", nameof(Curves));
            if (string.IsNullOrWhiteSpace(curve.Name)) throw new ArgumentException("A training curve has no name.", nameof(Curves));
            if (!names.Add(curve.Name)) throw new ArgumentException($"Two training curves are named '{curve.Name}'.", nameof(Curves));
            if (curve.Values is null || curve.Values.Count == 0)
                throw new ArgumentException($"Training curve '{curve.Name}' has no values.", nameof(Curves));
            for (int i = 0; i < curve.Values.Count; i++)
                if (double.IsInfinity(curve.Values[i]))
                    throw new ArgumentException($"Training curve '{curve.Name}' has an infinite value at epoch {curve.FirstEpoch + i}.", nameof(Curves));
        }
        return this;
    }
}
