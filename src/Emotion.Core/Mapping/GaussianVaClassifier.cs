using System.Collections.Immutable;

namespace Emotion.Core.Mapping;

/// <summary>
/// Quadratic discriminant analysis on the VA plane: each class is a 2-D Gaussian with its own mean and covariance (from a
/// <see cref="CategoryVaMapping"/>), and a point is assigned the class of largest posterior:
/// <c>argmax_c  log pi_c - (1/2) log det Sigma_c - (1/2) (x - mu_c)^T Sigma_c^-1 (x - mu_c)</c>.
/// With empirical priors and no regularisation this is scikit-learn's <c>QuadraticDiscriminantAnalysis</c>.
/// </summary>
public sealed class GaussianVaClassifier : VaCategoryClassifier
{
    private readonly int[] _classes;
    private readonly double[] _meanV, _meanA, _invVv, _invVa, _invAa, _logConst;

    private GaussianVaClassifier(int classCount, CategoryVaStats[] used, double[] logPriors, double regularization) : base(classCount)
    {
        int n = used.Length;
        _classes = new int[n];
        _meanV = new double[n]; _meanA = new double[n];
        _invVv = new double[n]; _invVa = new double[n]; _invAa = new double[n];
        _logConst = new double[n];
        for (int i = 0; i < n; i++)
        {
            var s = used[i];
            var cov = s.Covariance.Regularized(regularization);
            double det = cov.Determinant;
            if (!(det > 0) || !double.IsFinite(det))
                throw new ArgumentException(
                    $"Class {s.ClassIndex} has a singular VA covariance (determinant {det}); its frames lie on a line or a point. Increase {nameof(GaussianVaClassifierOptions.Regularization)}.");
            _classes[i] = s.ClassIndex;
            (_meanV[i], _meanA[i]) = (s.Centroid.Valence, s.Centroid.Arousal);
            (_invVv[i], _invVa[i], _invAa[i]) = (cov.ArousalVariance / det, -cov.Covariance / det, cov.ValenceVariance / det);
            _logConst[i] = logPriors[i] - 0.5 * Math.Log(det);
        }
        Classes = [.. _classes];
    }

    /// <summary>The class indices the classifier can predict (those with enough frames), ascending.</summary>
    public ImmutableArray<int> Classes { get; }

    /// <summary>Builds the classifier from a measured mapping.</summary>
    /// <exception cref="ArgumentException">Fewer than one class has <see cref="GaussianVaClassifierOptions.MinCount"/> frames, or a class covariance is singular.</exception>
    public static GaussianVaClassifier FromMapping(CategoryVaMapping mapping, GaussianVaClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        options ??= new GaussianVaClassifierOptions();
        if (options.MinCount < 2) throw new ArgumentOutOfRangeException(nameof(options), options.MinCount, "MinCount must be at least 2.");
        if (!(options.Regularization >= 0) || double.IsInfinity(options.Regularization))
            throw new ArgumentOutOfRangeException(nameof(options), options.Regularization, "Regularization must be a non-negative finite number.");
        var used = mapping.Stats.Where(s => s.Count >= options.MinCount).ToArray();
        if (used.Length == 0)
            throw new ArgumentException($"No class has at least {options.MinCount} frames; a Gaussian classifier needs at least one.", nameof(mapping));
        long total = used.Sum(s => s.Count);
        var logPriors = used.Select(s => options.Priors == VaClassPriors.Uniform ? -Math.Log(used.Length) : Math.Log((double)s.Count / total)).ToArray();
        return new GaussianVaClassifier(mapping.ClassCount, used, logPriors, options.Regularization);
    }

    /// <inheritdoc />
    public override int Predict(double valence, double arousal)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < _classes.Length; i++)
        {
            double score = LogScore(i, valence, arousal);
            if (score > bestScore) { bestScore = score; best = i; }
        }
        return _classes[best];
    }

    /// <summary>Writes the posterior probability of every class (0 for classes left out) into <paramref name="destination"/> of length K.</summary>
    /// <exception cref="ArgumentException">The destination length is not K, or a value is not finite.</exception>
    public void Posteriors(double valence, double arousal, Span<double> destination)
    {
        if (destination.Length != ClassCount) throw new ArgumentException($"destination has {destination.Length} entries; expected {ClassCount}.", nameof(destination));
        if (!double.IsFinite(valence) || !double.IsFinite(arousal)) throw new ArgumentException($"The point ({valence}, {arousal}) is not finite.");
        destination.Clear();
        double max = double.NegativeInfinity;
        Span<double> scores = stackalloc double[_classes.Length];
        for (int i = 0; i < _classes.Length; i++) { scores[i] = LogScore(i, valence, arousal); max = Math.Max(max, scores[i]); }
        double sum = 0;
        for (int i = 0; i < _classes.Length; i++) { scores[i] = Math.Exp(scores[i] - max); sum += scores[i]; }
        for (int i = 0; i < _classes.Length; i++) destination[_classes[i]] = scores[i] / sum;
    }

    private double LogScore(int i, double valence, double arousal)
    {
        double dv = valence - _meanV[i], da = arousal - _meanA[i];
        double mahalanobis = dv * dv * _invVv[i] + 2 * dv * da * _invVa[i] + da * da * _invAa[i];
        return _logConst[i] - 0.5 * mahalanobis;
    }
}
