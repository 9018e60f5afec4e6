using System.Collections.Immutable;

namespace Emotion.Analysis;

/// <summary>A fitted principal component analysis (see <see cref="Pca"/>).</summary>
public sealed class PcaResult
{
    internal PcaResult(ImmutableArray<double> mean, ImmutableArray<double> components, int componentCount,
        ImmutableArray<double> explainedVariance, double totalVariance)
    {
        Mean = mean;
        Components = components;
        ComponentCount = componentCount;
        ExplainedVariance = explainedVariance;
        TotalVariance = totalVariance;
        var ratio = ImmutableArray.CreateBuilder<double>(componentCount);
        foreach (double v in explainedVariance) ratio.Add(totalVariance > 0 ? v / totalVariance : 0.0);
        ExplainedVarianceRatio = ratio.MoveToImmutable();
    }

    /// <summary>Number of input features d.</summary>
    public int FeatureCount => Mean.Length;

    /// <summary>Number of components k.</summary>
    public int ComponentCount { get; }

    /// <summary>Per-feature mean subtracted before projecting, length d.</summary>
    public ImmutableArray<double> Mean { get; }

    /// <summary>The unit-length principal axes, row-major k x d (row i is component i), by decreasing variance.</summary>
    public ImmutableArray<double> Components { get; }

    /// <summary>Variance of the data along each component (eigenvalues of the covariance, divided by n - 1).</summary>
    public ImmutableArray<double> ExplainedVariance { get; }

    /// <summary>Each component's share of the total variance (0 when the data are constant).</summary>
    public ImmutableArray<double> ExplainedVarianceRatio { get; }

    /// <summary>Sum of the per-feature variances (divided by n - 1).</summary>
    public double TotalVariance { get; }

    /// <summary>Component <paramref name="index"/>, length d.</summary>
    public ReadOnlySpan<double> Component(int index)
    {
        if ((uint)index >= (uint)ComponentCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a component index in [0, {ComponentCount - 1}].");
        return Components.AsSpan().Slice(index * FeatureCount, FeatureCount);
    }

    /// <summary>Projects row-major rows x d data onto the components: returns rows x k scores.</summary>
    /// <exception cref="ArgumentException">The data are not rows x d or contain non-finite values.</exception>
    public float[] Transform(ReadOnlySpan<float> data, int rows)
    {
        int d = FeatureCount, k = ComponentCount;
        AnalysisGuard.Matrix(data, rows, d);
        var result = new float[rows * k];
        var mean = Mean.AsSpan();
        var components = Components.AsSpan();
        var centred = new double[d];
        for (int i = 0; i < rows; i++)
        {
            var row = data.Slice(i * d, d);
            for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
            for (int c = 0; c < k; c++)
            {
                var axis = components.Slice(c * d, d);
                double s = 0;
                for (int j = 0; j < d; j++) s += centred[j] * axis[j];
                result[i * k + c] = (float)s;
            }
        }
        return result;
    }
}
