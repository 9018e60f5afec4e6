using System.Collections.Immutable;

namespace Emotion.Analysis;

/// <summary>
/// Exact t-distributed stochastic neighbour embedding (van der Maaten &amp; Hinton, 2008, "Visualizing Data using t-SNE", JMLR 9),
/// O(n^2) per iteration, for 2-D views of up to a few thousand feature vectors.
/// </summary>
/// <remarks>
/// <para>Input affinities: for each point i a Gaussian over squared Euclidean distances, p_{j|i} = exp(-beta_i d_ij^2) /
/// sum_{k != i} exp(-beta_i d_ik^2), with beta_i found by binary search so that the entropy H(P_i) = log(perplexity) (natural
/// logarithms); then the symmetric joint P = (P_{j|i} + P_{i|j}) / (2n).</para>
/// <para>Output similarities: Student-t with one degree of freedom, q_ij = (1 + |y_i - y_j|^2)^-1 / Z. Gradient:
/// dC/dy_i = 4 sum_j (p_ij - q_ij)(1 + |y_i - y_j|^2)^-1 (y_i - y_j). Optimisation as in the reference implementation: P multiplied
/// by the early exaggeration at first, momentum, and per-coordinate gains (+0.2 when the gradient's sign differs from the last
/// update's, x0.8 otherwise, at least <see cref="TSneOptions.MinGain"/>), with the embedding re-centred after each step.</para>
/// <para>Deterministic: rows are processed independently (optionally in parallel) and reductions are summed in a fixed order, so
/// the same input, options and seed give the same embedding.</para>
/// </remarks>
public static class TSne
{
    private const int ParallelThreshold = 256;

    /// <summary>Embeds row-major rows x columns data.</summary>
    /// <exception cref="ArgumentException">The shape does not match, a value is not finite, or rows &lt;= 3 x perplexity.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static TSneResult Embed(ReadOnlySpan<float> data, int rows, int columns, TSneOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = (options ?? new TSneOptions()).Validate();
        AnalysisGuard.Matrix(data, rows, columns);
        CheckPerplexity(rows, options.Perplexity);
        var distances = SquaredDistances(data, rows, columns);
        var p = JointProbabilities(distances, rows, options.Perplexity, options.PerplexityTolerance, options.MaxPerplexitySteps, options.Parallel);
        distances = null;
        var y = Initialize(data, rows, columns, options);
        return Optimize(p, y, rows, options, cancellationToken);
    }

    /// <summary>Squared Euclidean distances between the rows, an n x n row-major matrix (computed in double precision).</summary>
    /// <exception cref="ArgumentException">The shape does not match or a value is not finite.</exception>
    public static double[] SquaredDistances(ReadOnlySpan<float> data, int rows, int columns)
    {
        AnalysisGuard.Matrix(data, rows, columns);
        var x = new double[rows * columns];
        for (int i = 0; i < x.Length; i++) x[i] = data[i];
        var result = new double[(long)rows * rows];
        System.Threading.Tasks.Parallel.For(0, rows, i =>
        {
            var a = x.AsSpan(i * columns, columns);
            for (int j = i + 1; j < rows; j++)
            {
                var b = x.AsSpan(j * columns, columns);
                double s = 0;
                for (int k = 0; k < columns; k++) { double t = a[k] - b[k]; s += t * t; }
                result[(long)i * rows + j] = s;
                result[(long)j * rows + i] = s;
            }
        });
        return result;
    }

    /// <summary>
    /// The symmetric joint probabilities P of t-SNE from squared distances: per-row Gaussian conditionals calibrated to the
    /// perplexity by binary search on the precision, then P = (P_cond + P_cond^T) / (2n). The diagonal is 0 and P sums to 1.
    /// </summary>
    /// <param name="squaredDistances">n x n squared distances (symmetric, zero diagonal).</param>
    /// <param name="rows">n.</param>
    /// <param name="perplexity">Target perplexity; n must exceed 3 x perplexity.</param>
    /// <param name="tolerance">Stop when |H - log(perplexity)| &lt; tolerance (nats).</param>
    /// <param name="maxSteps">Maximum binary-search steps per point.</param>
    /// <param name="parallel">Whether to process rows in parallel (the result does not depend on it).</param>
    /// <exception cref="ArgumentException">The matrix is not n x n, has a negative or non-finite entry, or n &lt;= 3 x perplexity.</exception>
    public static double[] JointProbabilities(ReadOnlySpan<double> squaredDistances, int rows, double perplexity,
        double tolerance = 1e-5, int maxSteps = 200, bool parallel = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (squaredDistances.Length != (long)rows * rows)
            throw new ArgumentException($"squaredDistances has {squaredDistances.Length} values; expected {rows} x {rows}.", nameof(squaredDistances));
        if (!(perplexity > 0)) throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, "Expected a positive perplexity.");
        CheckPerplexity(rows, perplexity);
        for (int i = 0; i < squaredDistances.Length; i++)
            if (!(squaredDistances[i] >= 0) || double.IsInfinity(squaredDistances[i]))
                throw new ArgumentException($"squaredDistances[{i / rows}, {i % rows}] is {squaredDistances[i]}; expected a finite, non-negative value.", nameof(squaredDistances));

        var d = squaredDistances.ToArray();
        var conditional = new double[(long)rows * rows];
        double logU = Math.Log(perplexity);
        ForRows(rows, parallel, i => CalibrateRow(d, conditional, rows, i, logU, tolerance, maxSteps));

        var p = new double[(long)rows * rows];
        double scale = 1.0 / (2.0 * rows);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < rows; j++)
                p[(long)i * rows + j] = (conditional[(long)i * rows + j] + conditional[(long)j * rows + i]) * scale;
        return p;
    }

    /// <summary>
    /// The t-SNE cost KL(P || Q) of an embedding and, optionally, its gradient
    /// dC/dy_i = 4 sum_j (p_ij - q_ij)(1 + |y_i - y_j|^2)^-1 (y_i - y_j), with Q the Student-t similarities of <paramref name="embedding"/>.
    /// </summary>
    /// <param name="p">n x n joint probabilities (see <see cref="JointProbabilities"/>).</param>
    /// <param name="embedding">n x dims coordinates, row-major.</param>
    /// <param name="rows">n.</param>
    /// <param name="dimensions">dims.</param>
    /// <param name="gradient">Receives the n x dims gradient when not empty.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public static double KlDivergence(ReadOnlySpan<double> p, ReadOnlySpan<double> embedding, int rows, int dimensions, Span<double> gradient = default)
    {
        if (p.Length != (long)rows * rows) throw new ArgumentException($"p has {p.Length} values; expected {rows} x {rows}.", nameof(p));
        if (embedding.Length != (long)rows * dimensions) throw new ArgumentException($"embedding has {embedding.Length} values; expected {rows} x {dimensions}.", nameof(embedding));
        if (!gradient.IsEmpty && gradient.Length != embedding.Length) throw new ArgumentException($"gradient has {gradient.Length} values; expected {rows} x {dimensions}.", nameof(gradient));
        var pArray = p.ToArray();
        var y = embedding.ToArray();
        double z = KernelSum(y, rows, dimensions, new double[rows], parallel: true);
        if (!gradient.IsEmpty)
        {
            var g = new double[y.Length];
            Gradient(pArray, y, rows, dimensions, 1.0, 1.0 / z, g, parallel: true);
            g.CopyTo(gradient);
        }
        double kl = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < rows; j++)
            {
                double pij = pArray[(long)i * rows + j];
                if (i == j || pij <= 0) continue;
                double q = Math.Max(1.0 / (1.0 + Distance2(y, i, j, dimensions)) / z, 1e-300);
                kl += pij * Math.Log(pij / q);
            }
        return kl;
    }

    /// <summary>Z = sum_{i != j} (1 + |y_i - y_j|^2)^-1, summed per row then in row order (deterministic with threads).</summary>
    private static double KernelSum(double[] y, int n, int dims, double[] rowSums, bool parallel)
    {
        ForRows(n, parallel, i =>
        {
            double s = 0;
            if (dims == 2)
            {
                double yi0 = y[2 * i], yi1 = y[2 * i + 1];
                for (int j = 0; j < n; j++)
                {
                    double d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
                    s += 1.0 / (1.0 + d0 * d0 + d1 * d1);
                }
                s -= 1.0; // the j == i term
            }
            else
            {
                for (int j = 0; j < n; j++)
                    if (j != i) s += 1.0 / (1.0 + Distance2(y, i, j, dims));
            }
            rowSums[i] = s;
        });
        double z = 0;
        for (int i = 0; i < n; i++) z += rowSums[i];
        return z;
    }

    /// <summary>dC/dy_i = 4 sum_j (exaggeration p_ij - q_ij)(1 + |y_i - y_j|^2)^-1 (y_i - y_j), one row per task.</summary>
    private static void Gradient(double[] p, double[] y, int n, int dims, double exaggeration, double invZ, double[] gradient, bool parallel)
    {
        ForRows(n, parallel, i =>
        {
            long offset = (long)i * n;
            if (dims == 2)
            {
                // The j == i term is zero (y_i - y_i = 0), so it needs no branch.
                double yi0 = y[2 * i], yi1 = y[2 * i + 1], g0 = 0, g1 = 0;
                for (int j = 0; j < n; j++)
                {
                    double d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
                    double num = 1.0 / (1.0 + d0 * d0 + d1 * d1);
                    double mult = (exaggeration * p[offset + j] - num * invZ) * num;
                    g0 += mult * d0;
                    g1 += mult * d1;
                }
                gradient[2 * i] = 4.0 * g0;
                gradient[2 * i + 1] = 4.0 * g1;
                return;
            }
            Span<double> g = stackalloc double[dims];
            g.Clear();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double num = 1.0 / (1.0 + Distance2(y, i, j, dims));
                double mult = (exaggeration * p[offset + j] - num * invZ) * num;
                for (int k = 0; k < dims; k++) g[k] += mult * (y[i * dims + k] - y[j * dims + k]);
            }
            for (int k = 0; k < dims; k++) gradient[i * dims + k] = 4.0 * g[k];
        });
    }

    private static void CheckPerplexity(int rows, double perplexity)
    {
        if (rows - 1 < 3 * perplexity)
            throw new ArgumentException(
                $"t-SNE with perplexity {perplexity} needs more than 3 x perplexity = {3 * perplexity} points (each point needs that many neighbours); got {rows}. Lower the perplexity or add points.",
                nameof(perplexity));
    }

    private static void CalibrateRow(double[] d, double[] conditional, int n, int i, double logU, double tolerance, int maxSteps)
    {
        long offset = (long)i * n;
        // Shift by the smallest distance: the normalised row and its entropy are unchanged, and exp cannot underflow to all zeros.
        double min = double.PositiveInfinity;
        for (int j = 0; j < n; j++) if (j != i && d[offset + j] < min) min = d[offset + j];
        double beta = 1.0, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        var row = conditional.AsSpan((int)offset, n);
        for (int step = 0; step < maxSteps; step++)
        {
            double sum = 0, weighted = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) { row[j] = 0; continue; }
                double shifted = d[offset + j] - min;
                double w = Math.Exp(-shifted * beta);
                row[j] = w;
                sum += w;
                weighted += shifted * w;
            }
            double entropy = Math.Log(sum) + beta * weighted / sum;
            double diff = entropy - logU;
            for (int j = 0; j < n; j++) row[j] /= sum;
            if (Math.Abs(diff) < tolerance) break;
            if (diff > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }
        }
    }

    private static double[] Initialize(ReadOnlySpan<float> data, int rows, int columns, TSneOptions options)
    {
        int dims = options.Dimensions;
        var y = new double[rows * dims];
        if (options.Initialization == TSneInitialization.Pca && dims <= Math.Min(rows, columns))
        {
            var (_, scores) = Pca.FitTransform(data, rows, columns, dims);
            double mean = 0, sq = 0;
            for (int i = 0; i < rows; i++) mean += scores[i * dims];
            mean /= rows;
            for (int i = 0; i < rows; i++) { double t = scores[i * dims] - mean; sq += t * t; }
            double std = Math.Sqrt(sq / rows);
            double scale = std > 0 ? options.InitialStandardDeviation / std : 1.0;
            for (int i = 0; i < y.Length; i++) y[i] = scores[i] * scale;
            return y;
        }
        var random = new Random(options.Seed);
        for (int i = 0; i < y.Length; i += 2)
        {
            // Box-Muller: two independent standard normals from two uniforms.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            y[i] = r * Math.Cos(2 * Math.PI * u2) * options.InitialStandardDeviation;
            if (i + 1 < y.Length) y[i + 1] = r * Math.Sin(2 * Math.PI * u2) * options.InitialStandardDeviation;
        }
        return y;
    }

    private static TSneResult Optimize(double[] p, double[] y, int n, TSneOptions options, CancellationToken cancellationToken)
    {
        int dims = options.Dimensions;
        var gradient = new double[n * dims];
        var update = new double[n * dims];
        var gains = new double[n * dims];
        Array.Fill(gains, 1.0);
        var rowSums = new double[n];
        double learningRate = options.LearningRateFor(n);

        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double exaggeration = iteration < options.ExaggerationIterations ? options.EarlyExaggeration : 1.0;
            double momentum = iteration < options.MomentumSwitchIteration ? options.InitialMomentum : options.FinalMomentum;

            double z = KernelSum(y, n, dims, rowSums, options.Parallel);
            Gradient(p, y, n, dims, exaggeration, 1.0 / z, gradient, options.Parallel);

            for (int k = 0; k < y.Length; k++)
            {
                bool sameSign = gradient[k] > 0 == update[k] > 0;
                gains[k] = Math.Max(sameSign ? gains[k] * 0.8 : gains[k] + 0.2, options.MinGain);
                update[k] = momentum * update[k] - learningRate * gains[k] * gradient[k];
                y[k] += update[k];
            }
            Recentre(y, n, dims);
        }

        double kl = KlDivergence(p, y, n, dims);
        return new TSneResult([.. y], n, dims, kl, options.Iterations);
    }

    private static void Recentre(double[] y, int n, int dims)
    {
        Span<double> mean = stackalloc double[dims];
        mean.Clear();
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dims; k++) mean[k] += y[i * dims + k];
        for (int k = 0; k < dims; k++) mean[k] /= n;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dims; k++) y[i * dims + k] -= mean[k];
    }

    private static double Distance2(ReadOnlySpan<double> y, int i, int j, int dims)
    {
        double s = 0;
        for (int k = 0; k < dims; k++) { double t = y[i * dims + k] - y[j * dims + k]; s += t * t; }
        return s;
    }

    private static void ForRows(int n, bool parallel, Action<int> body)
    {
        // Below a few hundred rows the work per row is too small to pay for scheduling.
        if (parallel && n >= ParallelThreshold) System.Threading.Tasks.Parallel.For(0, n, body);
        else for (int i = 0; i < n; i++) body(i);
    }
}
