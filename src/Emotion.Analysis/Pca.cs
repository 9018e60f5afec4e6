using System.Collections.Immutable;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Emotion.Analysis;

/// <summary>
/// Principal component analysis of an n x d matrix (rows = samples, for example per-frame features), for 2-D views of a
/// feature space. Computes the eigen-decomposition of the d x d covariance (or, when d &gt; n, of the n x n Gram matrix, which
/// has the same non-zero spectrum) with MathNet.Numerics' symmetric eigenvalue decomposition (Householder reduction to
/// tridiagonal form and the implicit QL algorithm in its managed provider), in double precision.
/// </summary>
/// <remarks>
/// <para>Covariance = Xc^T Xc / (n - 1) with Xc the column-centred data; the components are its leading eigenvectors and the
/// explained variances its eigenvalues (as scikit-learn's <c>PCA</c>, Pearson 1901 / Hotelling 1933).</para>
/// <para>Sign convention (deterministic, scikit-learn's <c>svd_flip</c> with <c>u_based_decision=True</c>): each component is
/// oriented so that the sample with the largest absolute score on it (the first such sample on ties) scores positive.</para>
/// </remarks>
public static class Pca
{
    /// <summary>Fits the top <paramref name="components"/> principal components of row-major data.</summary>
    /// <param name="data">rows x columns values, row-major.</param>
    /// <param name="rows">Number of samples n (at least 2).</param>
    /// <param name="columns">Number of features d.</param>
    /// <param name="components">Number of components k in [1, min(n, d)].</param>
    /// <exception cref="ArgumentException">The shape does not match, a value is not finite, fewer than 2 rows, or k is out of range.</exception>
    public static PcaResult Fit(ReadOnlySpan<float> data, int rows, int columns, int components = 2)
    {
        AnalysisGuard.Matrix(data, rows, columns);
        if (rows < 2) throw new ArgumentException($"PCA needs at least 2 samples; got {rows}.", nameof(rows));
        if (components < 1 || components > Math.Min(rows, columns))
            throw new ArgumentOutOfRangeException(nameof(components), components, $"Expected between 1 and min(rows, columns) = {Math.Min(rows, columns)} components.");
        int n = rows, d = columns;

        // Column-centred data, stored column-major so that dot products between features read contiguous memory.
        var mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += data[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var centredByColumn = new double[(long)d * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) centredByColumn[(long)j * n + i] = data[i * d + j] - mean[j];

        double totalVariance = 0;
        for (int j = 0; j < d; j++) totalVariance += Dot(centredByColumn, j, j, n, n) / (n - 1);

        var axes = new double[components * d];
        var variances = new double[components];
        if (d <= n) FromCovariance(centredByColumn, n, d, components, axes, variances);
        else FromGram(centredByColumn, n, d, components, axes, variances);

        OrientBySamples(centredByColumn, n, d, components, axes);
        return new PcaResult([.. mean], [.. axes], components, [.. variances], totalVariance);
    }

    /// <summary>Fits and returns the rows x k scores of the same data.</summary>
    public static (PcaResult Pca, float[] Scores) FitTransform(ReadOnlySpan<float> data, int rows, int columns, int components = 2)
    {
        var pca = Fit(data, rows, columns, components);
        return (pca, pca.Transform(data, rows));
    }

    private static void FromCovariance(double[] x, int n, int d, int k, double[] axes, double[] variances)
    {
        var covariance = new double[d * d];
        Parallel.For(0, d, a =>
        {
            for (int b = a; b < d; b++)
            {
                double c = Dot(x, a, b, n, n) / (n - 1);
                covariance[a * d + b] = c;
                covariance[b * d + a] = c;
            }
        });
        var eigenvalues = new double[d];
        DecomposeSymmetric(covariance, d, eigenvalues);
        for (int c = 0; c < k; c++)
        {
            variances[c] = Math.Max(eigenvalues[c], 0.0);
            covariance.AsSpan(c * d, d).CopyTo(axes.AsSpan(c * d, d));
        }
    }

    private static void FromGram(double[] x, int n, int d, int k, double[] axes, double[] variances)
    {
        // G = Xc Xc^T / (n - 1); if G u = l u then v = Xc^T u / |Xc^T u| is a covariance eigenvector with eigenvalue l.
        var gram = new double[n * n];
        Parallel.For(0, n, a =>
        {
            for (int b = a; b < n; b++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += x[(long)j * n + a] * x[(long)j * n + b];
                gram[a * n + b] = s / (n - 1);
                gram[b * n + a] = s / (n - 1);
            }
        });
        var eigenvalues = new double[n];
        DecomposeSymmetric(gram, n, eigenvalues);
        for (int c = 0; c < k; c++)
        {
            variances[c] = Math.Max(eigenvalues[c], 0.0);
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += x[(long)j * n + i] * gram[c * n + i];
                axes[c * d + j] = s;
                norm += s * s;
            }
            norm = Math.Sqrt(norm);
            if (norm > 0)
                for (int j = 0; j < d; j++) axes[c * d + j] /= norm;
        }
    }

    /// <summary>
    /// Decomposes the row-major n x n symmetric matrix <paramref name="a"/> (MathNet.Numerics' <c>Evd</c>). On return
    /// <paramref name="a"/> holds the orthonormal eigenvectors in its rows (row i belongs to eigenvalue i) and
    /// <paramref name="eigenvalues"/> the eigenvalues in descending order. An eigenvector's sign is arbitrary here;
    /// <see cref="OrientBySamples"/> fixes it afterwards.
    /// </summary>
    private static void DecomposeSymmetric(double[] a, int n, double[] eigenvalues)
    {
        // Symmetric, so the row-major array is also the column-major storage MathNet expects.
        var evd = Matrix<double>.Build.Dense(n, n, a).Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues;
        var vectors = evd.EigenVectors;
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i].Real).ToArray();
        for (int c = 0; c < n; c++)
        {
            eigenvalues[c] = values[order[c]].Real;
            for (int j = 0; j < n; j++) a[c * n + j] = vectors[j, order[c]];
        }
    }

    private static void OrientBySamples(double[] x, int n, int d, int k, double[] axes)
    {
        var scores = new double[n];
        for (int c = 0; c < k; c++)
        {
            Array.Clear(scores);
            for (int j = 0; j < d; j++)
            {
                double w = axes[c * d + j];
                if (w == 0) continue;
                long offset = (long)j * n;
                for (int i = 0; i < n; i++) scores[i] += x[offset + i] * w;
            }
            int best = 0;
            for (int i = 1; i < n; i++)
                if (Math.Abs(scores[i]) > Math.Abs(scores[best])) best = i;
            if (scores[best] < 0)
                for (int j = 0; j < d; j++) axes[c * d + j] = -axes[c * d + j];
        }
    }

    /// <summary>Dot product with SIMD lanes (System.Numerics.Vector), summed in a fixed order so the result is deterministic.</summary>
    private static double DotProduct(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        double s = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && a.Length >= 2 * System.Numerics.Vector<double>.Count)
        {
            var acc = System.Numerics.Vector<double>.Zero;
            var va = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(a);
            var vb = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(b);
            for (int k = 0; k < va.Length; k++) acc += va[k] * vb[k];
            s = System.Numerics.Vector.Sum(acc);
            i = va.Length * System.Numerics.Vector<double>.Count;
        }
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Dot(double[] x, int columnA, int columnB, int n, int length)
    {
        var a = x.AsSpan((int)((long)columnA * n), length);
        var b = x.AsSpan((int)((long)columnB * n), length);
        return DotProduct(a, b);
    }
}
