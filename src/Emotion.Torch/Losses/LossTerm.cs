using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Emotion.Torch.Losses;

/// <summary>
/// One weighted term of a composite loss (see <see cref="LossSpec"/>): its kind, its weight in the sum and the options of
/// that kind. Immutable and JSON-serialisable; equality compares the option arrays element by element.
/// </summary>
public sealed record LossTerm
{
    /// <summary>What the term computes.</summary>
    public required LossKind Kind { get; init; }

    /// <summary>The term's weight in the total loss (finite, non-negative).</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>Cross-entropy only: the label-smoothing factor in [0, 1) (PyTorch's <c>label_smoothing</c>).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Cross-entropy only: how the categories are weighted.</summary>
    public ClassWeighting ClassWeighting { get; init; } = ClassWeighting.None;

    /// <summary>Cross-entropy with <see cref="ClassWeighting.Explicit"/>: one positive weight per category, in logit order.</summary>
    public ImmutableArray<float> ClassWeights { get; init; } = [];

    /// <summary>
    /// CCC and MSE only: weights of valence (index 0) and arousal (index 1) in the term's average; empty means equal weights.
    /// The term is <c>sum_d w_d L_d / sum_d w_d</c>.
    /// </summary>
    public ImmutableArray<float> DimensionWeights { get; init; } = [];

    /// <summary>Whether the term reads the category logits.</summary>
    public bool UsesCategories => Kind == LossKind.CrossEntropy;

    /// <summary>Whether the term reads the valence/arousal outputs.</summary>
    public bool UsesValenceArousal => Kind is LossKind.Ccc or LossKind.Mse;

    /// <summary>The name used in logs and histories: <c>ce</c>, <c>ccc</c> or <c>mse</c>.</summary>
    public string Name => Kind switch
    {
        LossKind.CrossEntropy => "ce",
        LossKind.Ccc => "ccc",
        LossKind.Mse => "mse",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Checks the options against the kind.</summary>
    /// <param name="classCount">The number of categories of the model (checked against explicit class weights), or null to skip.</param>
    /// <exception cref="ArgumentException">A value is out of range or does not belong to this kind of term.</exception>
    public LossTerm Validate(int? classCount = null)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"Loss term kind {(int)Kind} is not a loss kind; expected CrossEntropy, Ccc or Mse.", nameof(Kind));
        if (!double.IsFinite(Weight) || Weight < 0)
            throw new ArgumentException($"The {Name} loss weight is {Weight}; expected a finite, non-negative number.", nameof(Weight));
        if (!double.IsFinite(LabelSmoothing) || LabelSmoothing < 0 || LabelSmoothing >= 1)
            throw new ArgumentException($"The {Name} label smoothing is {LabelSmoothing}; expected a value in [0, 1).", nameof(LabelSmoothing));
        if (Kind != LossKind.CrossEntropy)
        {
            if (LabelSmoothing != 0) throw new ArgumentException($"Label smoothing applies to cross-entropy only, not to the {Name} term.", nameof(LabelSmoothing));
            if (ClassWeighting != ClassWeighting.None || !ClassWeights.IsDefaultOrEmpty)
                throw new ArgumentException($"Class weights apply to cross-entropy only, not to the {Name} term.", nameof(ClassWeights));
        }
        else if (!DimensionWeights.IsDefaultOrEmpty)
        {
            throw new ArgumentException("Dimension weights apply to the valence/arousal terms (Ccc, Mse), not to cross-entropy.", nameof(DimensionWeights));
        }
        if (ClassWeighting == ClassWeighting.Explicit)
        {
            if (ClassWeights.IsDefaultOrEmpty)
                throw new ArgumentException("Explicit class weighting needs one weight per category; none were given.", nameof(ClassWeights));
            for (int i = 0; i < ClassWeights.Length; i++)
                if (!float.IsFinite(ClassWeights[i]) || ClassWeights[i] < 0)
                    throw new ArgumentException($"Class weight [{i}] is {ClassWeights[i]}; expected a finite, non-negative number.", nameof(ClassWeights));
            if (classCount is { } c && ClassWeights.Length != c)
                throw new ArgumentException($"The cross-entropy has {ClassWeights.Length} class weights but the model has {c} categories; give one weight per category.", nameof(ClassWeights));
        }
        else if (!ClassWeights.IsDefaultOrEmpty)
        {
            throw new ArgumentException($"Class weights were given but the class weighting is {ClassWeighting}; use ClassWeighting.Explicit.", nameof(ClassWeights));
        }
        if (!DimensionWeights.IsDefaultOrEmpty)
        {
            if (DimensionWeights.Length != 2)
                throw new ArgumentException($"The {Name} term has {DimensionWeights.Length} dimension weights; expected 2 (valence, arousal).", nameof(DimensionWeights));
            foreach (float w in DimensionWeights)
                if (!float.IsFinite(w) || w < 0)
                    throw new ArgumentException($"The {Name} dimension weights are [{string.Join(", ", DimensionWeights)}]; expected finite, non-negative numbers.", nameof(DimensionWeights));
            if (DimensionWeights[0] + DimensionWeights[1] <= 0)
                throw new ArgumentException($"The {Name} dimension weights are both 0; at least one must be positive.", nameof(DimensionWeights));
        }
        return this;
    }

    /// <summary>A short description such as <c>1*ce(smoothing=0.1, balanced)</c>.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(Weight.ToString("G", CultureInfo.InvariantCulture)).Append('*').Append(Name);
        var options = new List<string>();
        if (LabelSmoothing != 0) options.Add("smoothing=" + LabelSmoothing.ToString("G", CultureInfo.InvariantCulture));
        if (ClassWeighting == ClassWeighting.Balanced) options.Add("balanced");
        if (ClassWeighting == ClassWeighting.Explicit)
            options.Add("classWeights=[" + string.Join(", ", ClassWeights.Select(w => w.ToString("G", CultureInfo.InvariantCulture))) + "]");
        if (!DimensionWeights.IsDefaultOrEmpty)
            options.Add("dims=[" + string.Join(", ", DimensionWeights.Select(w => w.ToString("G", CultureInfo.InvariantCulture))) + "]");
        if (options.Count > 0) sb.Append('(').Append(string.Join(", ", options)).Append(')');
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(LossTerm? other) =>
        other is not null && Kind == other.Kind && Weight.Equals(other.Weight) && LabelSmoothing.Equals(other.LabelSmoothing)
        && ClassWeighting == other.ClassWeighting && SameValues(ClassWeights, other.ClassWeights)
        && SameValues(DimensionWeights, other.DimensionWeights);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Weight);
        hash.Add(LabelSmoothing);
        hash.Add(ClassWeighting);
        if (!ClassWeights.IsDefault) foreach (float w in ClassWeights) hash.Add(w);
        if (!DimensionWeights.IsDefault) foreach (float w in DimensionWeights) hash.Add(w);
        return hash.ToHashCode();
    }

    private static bool SameValues(ImmutableArray<float> a, ImmutableArray<float> b) =>
        (a.IsDefaultOrEmpty && b.IsDefaultOrEmpty) || (!a.IsDefault && !b.IsDefault && a.AsSpan().SequenceEqual(b.AsSpan()));
}
