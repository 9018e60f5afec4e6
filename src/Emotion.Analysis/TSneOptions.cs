namespace Emotion.Analysis;

/// <summary>
/// Options of exact t-SNE (<see cref="TSne"/>). Defaults follow van der Maaten's reference implementations and scikit-learn:
/// perplexity 30, 1000 iterations, learning rate max(n / early exaggeration / 4, 50) (scikit-learn's "auto", Belkina et al.
/// 2019; a fixed 200 oscillates for a few hundred points), early exaggeration 12 for the first 250 iterations with momentum 0.5, then
/// momentum 0.8, adaptive gains (+0.2 / x0.8, at least 0.01), initial coordinates drawn from N(0, 1e-4 I).
/// </summary>
public sealed record TSneOptions
{
    /// <summary>Output dimensions (2 for plots).</summary>
    public int Dimensions { get; init; } = 2;

    /// <summary>Perplexity, the effective number of neighbours of each point; the number of points must exceed 3 x perplexity.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Number of gradient-descent iterations.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Learning rate (eta); null (default) picks max(n / <see cref="EarlyExaggeration"/> / 4, 50) for n points.</summary>
    public double? LearningRate { get; init; }

    /// <summary>The learning rate used for <paramref name="rows"/> points.</summary>
    public double LearningRateFor(int rows) => LearningRate ?? Math.Max(rows / EarlyExaggeration / 4.0, 50.0);

    /// <summary>Factor that multiplies P during the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Number of iterations with early exaggeration.</summary>
    public int ExaggerationIterations { get; init; } = 250;

    /// <summary>Momentum before <see cref="MomentumSwitchIteration"/>.</summary>
    public double InitialMomentum { get; init; } = 0.5;

    /// <summary>Momentum from <see cref="MomentumSwitchIteration"/> on.</summary>
    public double FinalMomentum { get; init; } = 0.8;

    /// <summary>Iteration at which the momentum switches.</summary>
    public int MomentumSwitchIteration { get; init; } = 250;

    /// <summary>Lower bound of the adaptive per-coordinate gains.</summary>
    public double MinGain { get; init; } = 0.01;

    /// <summary>Standard deviation of the initial coordinates (1e-2, i.e. variance 1e-4 as in the paper).</summary>
    public double InitialStandardDeviation { get; init; } = 1e-2;

    /// <summary>How the points are placed initially.</summary>
    public TSneInitialization Initialization { get; init; } = TSneInitialization.Random;

    /// <summary>Stop the per-point binary search when |entropy - log(perplexity)| is below this (nats).</summary>
    public double PerplexityTolerance { get; init; } = 1e-5;

    /// <summary>Maximum steps of the per-point binary search.</summary>
    public int MaxPerplexitySteps { get; init; } = 200;

    /// <summary>Seed of the random initialisation; the result is identical for identical inputs, options and seed.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to spread rows over threads (the result does not depend on it).</summary>
    public bool Parallel { get; init; } = true;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public TSneOptions Validate()
    {
        if (Dimensions < 1) throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Expected at least 1 output dimension.");
        if (!(Perplexity > 0) || double.IsInfinity(Perplexity)) throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "Expected a positive, finite perplexity.");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Expected at least 1 iteration.");
        if (LearningRate is { } rate && (!(rate > 0) || double.IsInfinity(rate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Expected a positive, finite learning rate.");
        if (!(EarlyExaggeration >= 1) || double.IsInfinity(EarlyExaggeration)) throw new ArgumentOutOfRangeException(nameof(EarlyExaggeration), EarlyExaggeration, "Expected an early exaggeration of at least 1.");
        if (ExaggerationIterations < 0) throw new ArgumentOutOfRangeException(nameof(ExaggerationIterations), ExaggerationIterations, "Expected a non-negative number of iterations.");
        if (!(InitialMomentum >= 0 && InitialMomentum < 1)) throw new ArgumentOutOfRangeException(nameof(InitialMomentum), InitialMomentum, "Expected a momentum in [0, 1).");
        if (!(FinalMomentum >= 0 && FinalMomentum < 1)) throw new ArgumentOutOfRangeException(nameof(FinalMomentum), FinalMomentum, "Expected a momentum in [0, 1).");
        if (MomentumSwitchIteration < 0) throw new ArgumentOutOfRangeException(nameof(MomentumSwitchIteration), MomentumSwitchIteration, "Expected a non-negative iteration.");
        if (!(MinGain > 0)) throw new ArgumentOutOfRangeException(nameof(MinGain), MinGain, "Expected a positive minimum gain.");
        if (!(InitialStandardDeviation > 0) || double.IsInfinity(InitialStandardDeviation)) throw new ArgumentOutOfRangeException(nameof(InitialStandardDeviation), InitialStandardDeviation, "Expected a positive, finite standard deviation.");
        if (!(PerplexityTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(PerplexityTolerance), PerplexityTolerance, "Expected a positive tolerance.");
        if (MaxPerplexitySteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxPerplexitySteps), MaxPerplexitySteps, "Expected at least 1 step.");
        return this;
    }
}
