using System.Collections.Immutable;

namespace Emotion.Torch.Losses;

/// <summary>
/// Fluent construction of a <see cref="LossSpec"/>, for example
/// <c>new LossBuilder().CrossEntropy(weight: 1.0, labelSmoothing: 0.1).Ccc(weight: 1.0).Build()</c>.
/// Each call appends a term; the total loss is the weighted sum of the terms. The builder is mutable; the spec it builds is not.
/// </summary>
public sealed class LossBuilder
{
    private readonly ImmutableArray<LossTerm>.Builder _terms = ImmutableArray.CreateBuilder<LossTerm>();

    /// <summary>Starts an empty loss.</summary>
    public LossBuilder() { }

    /// <summary>Starts from the terms of an existing spec (to extend or re-weight it).</summary>
    public LossBuilder(LossSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.Terms.IsDefault) _terms.AddRange(spec.Terms);
    }

    /// <summary>
    /// Adds masked cross-entropy on the category logits (frames labeled -1 are ignored).
    /// </summary>
    /// <param name="weight">Weight in the total (finite, non-negative).</param>
    /// <param name="labelSmoothing">Label smoothing in [0, 1), as PyTorch's <c>label_smoothing</c>.</param>
    /// <param name="classWeights">One weight per category in logit order, or null for equal weights.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public LossBuilder CrossEntropy(double weight = 1.0, double labelSmoothing = 0.0, float[]? classWeights = null) =>
        Add(new LossTerm
        {
            Kind = LossKind.CrossEntropy,
            Weight = weight,
            LabelSmoothing = labelSmoothing,
            ClassWeighting = classWeights is null ? ClassWeighting.None : ClassWeighting.Explicit,
            ClassWeights = classWeights is null ? [] : [.. classWeights],
        });

    /// <summary>
    /// Adds masked cross-entropy with the categories weighted by <paramref name="weighting"/>; with
    /// <see cref="ClassWeighting.Balanced"/> the weights are computed from the training labels' frequencies when training starts.
    /// </summary>
    /// <param name="weight">Weight in the total (finite, non-negative).</param>
    /// <param name="labelSmoothing">Label smoothing in [0, 1).</param>
    /// <param name="weighting"><see cref="ClassWeighting.None"/> or <see cref="ClassWeighting.Balanced"/> (explicit weights go through the other overload).</param>
    /// <exception cref="ArgumentException">A value is out of range, or <paramref name="weighting"/> is Explicit.</exception>
    public LossBuilder CrossEntropy(double weight, double labelSmoothing, ClassWeighting weighting)
    {
        if (weighting == ClassWeighting.Explicit)
            throw new ArgumentException("Pass the weights themselves (classWeights: new float[] {...}) for explicit class weighting.", nameof(weighting));
        return Add(new LossTerm { Kind = LossKind.CrossEntropy, Weight = weight, LabelSmoothing = labelSmoothing, ClassWeighting = weighting });
    }

    /// <summary>Adds the concordance loss <c>1 - CCC</c>, per valence/arousal dimension over the batch's labeled frames, averaged.</summary>
    /// <param name="weight">Weight in the total (finite, non-negative).</param>
    /// <param name="dimensionWeights">Weights of valence and arousal in the average, or null for equal weights.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public LossBuilder Ccc(double weight = 1.0, float[]? dimensionWeights = null) =>
        Add(new LossTerm { Kind = LossKind.Ccc, Weight = weight, DimensionWeights = dimensionWeights is null ? [] : [.. dimensionWeights] });

    /// <summary>Adds the masked mean squared error of valence and arousal, per dimension over the labeled frames, averaged.</summary>
    /// <param name="weight">Weight in the total (finite, non-negative).</param>
    /// <param name="dimensionWeights">Weights of valence and arousal in the average, or null for equal weights.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public LossBuilder Mse(double weight = 1.0, float[]? dimensionWeights = null) =>
        Add(new LossTerm { Kind = LossKind.Mse, Weight = weight, DimensionWeights = dimensionWeights is null ? [] : [.. dimensionWeights] });

    /// <summary>Adds a term described elsewhere.</summary>
    /// <exception cref="ArgumentException">The term is invalid.</exception>
    public LossBuilder Add(LossTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        _terms.Add(term.Validate());
        return this;
    }

    /// <summary>Returns the spec of the terms added so far.</summary>
    /// <exception cref="ArgumentException">No term was added.</exception>
    public LossSpec Build() => new LossSpec { Terms = _terms.ToImmutable() }.Validate();
}
