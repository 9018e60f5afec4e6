using Emotion.Testing;
namespace Emotion.Analysis.Tests;

public class TSneTests
{
    [Fact]
    public void JointProbabilitiesMatchIndependentImplementation()
    {
        var f = Fixture.Load("tsne_joint_probabilities.json");
        int n = f.Int("rows"), d = f.Int("columns");
        var distances = TSne.SquaredDistances(f.Floats("data"), n, d);
        var p = TSne.JointProbabilities(distances, n, f.Double("perplexity"), tolerance: 1e-12);
        double[] expected = f.Doubles("p");
        double sum = 0;
        for (int i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(expected[i] - p[i]) < 1e-10, $"P[{i / n}, {i % n}] = {p[i]} vs {expected[i]}");
            sum += p[i];
        }
        Assert.Equal(1.0, sum, 12);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(0.0, p[i * n + i]);
            for (int j = 0; j < n; j++) Assert.Equal(p[i * n + j], p[j * n + i]);
        }
    }

    [Fact]
    public void CostAndGradientMatchScikitLearn()
    {
        var f = Fixture.Load("tsne_joint_probabilities.json");
        int n = f.Int("rows");
        double[] p = f.Doubles("p"), y = f.Doubles("embedding"), expected = f.Doubles("gradient");
        var gradient = new double[y.Length];
        double kl = TSne.KlDivergence(p, y, n, 2, gradient);
        Assert.Equal(f.Double("kl"), kl, 9);
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(expected[i] - gradient[i]) < 1e-10, $"gradient[{i}] = {gradient[i]} vs {expected[i]}");
    }

    [Fact]
    public void SeparatedClustersStaySeparatedAndRunIsDeterministic()
    {
        var (data, labels) = Clusters(perCluster: 40, dims: 10, seed: 7);
        var options = new TSneOptions { Perplexity = 10, Iterations = 500, Seed = 3 };
        var result = TSne.Embed(data, labels.Length, 10, options);
        Assert.Equal(labels.Length * 2, result.Embedding.Length);
        Assert.True(NearestNeighbourAgreement(result, labels) > 0.95);
        Assert.True(double.IsFinite(result.KlDivergence) && result.KlDivergence > 0);

        var again = TSne.Embed(data, labels.Length, 10, options with { Parallel = false });
        Assert.Equal(result.Embedding.ToArray(), again.Embedding.ToArray());
        var otherSeed = TSne.Embed(data, labels.Length, 10, options with { Seed = 4 });
        Assert.NotEqual(result.Embedding.ToArray(), otherSeed.Embedding.ToArray());
        Assert.True(NearestNeighbourAgreement(otherSeed, labels) > 0.95);

        // Above the parallel threshold rows run on threads; the result must not change.
        var (big, bigLabels) = Clusters(perCluster: 100, dims: 10, seed: 8);
        var quick = new TSneOptions { Perplexity = 20, Iterations = 30, Seed = 1 };
        Assert.Equal(TSne.Embed(big, bigLabels.Length, 10, quick).Embedding.ToArray(),
            TSne.Embed(big, bigLabels.Length, 10, quick with { Parallel = false }).Embedding.ToArray());

        var pcaInit = TSne.Embed(data, labels.Length, 10, options with { Initialization = TSneInitialization.Pca });
        Assert.True(NearestNeighbourAgreement(pcaInit, labels) > 0.95);
    }

    [Fact]
    public void OptimisationLowersTheCost()
    {
        var (data, labels) = Clusters(perCluster: 20, dims: 5, seed: 1);
        var options = new TSneOptions { Perplexity = 5, Seed = 1 };
        var early = TSne.Embed(data, labels.Length, 5, options with { Iterations = 1 });
        var late = TSne.Embed(data, labels.Length, 5, options with { Iterations = 500 });
        Assert.True(late.KlDivergence < 0.5 * early.KlDivergence, $"KL {late.KlDivergence} vs initial {early.KlDivergence}");
    }

    [Fact]
    public void RejectsBadInputWithClearMessages()
    {
        var (data, labels) = Clusters(perCluster: 5, dims: 3, seed: 1);
        var small = Assert.Throws<ArgumentException>(() => TSne.Embed(data, labels.Length, 3, new TSneOptions { Perplexity = 30 }));
        Assert.Contains("3 x perplexity", small.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Embed(data, labels.Length, 3, new TSneOptions { Perplexity = 2, LearningRate = 0 }));
        Assert.Throws<ArgumentException>(() => TSne.Embed(data, labels.Length, 4, new TSneOptions { Perplexity = 2 }));
        data[4] = float.PositiveInfinity;
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => TSne.Embed(data, labels.Length, 3, new TSneOptions { Perplexity = 2 })).Message);
        Assert.Throws<ArgumentException>(() => TSne.JointProbabilities(new double[10], 3, 0.5));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var (ok, okLabels) = Clusters(perCluster: 5, dims: 3, seed: 1);
        Assert.Throws<OperationCanceledException>(() => TSne.Embed(ok, okLabels.Length, 3, new TSneOptions { Perplexity = 2 }, cts.Token));
    }

    private static (float[] Data, int[] Labels) Clusters(int perCluster, int dims, int seed)
    {
        var rng = new Random(seed);
        int clusters = 3, n = clusters * perCluster;
        var data = new float[n * dims];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % clusters;
            for (int k = 0; k < dims; k++)
            {
                double centre = k == labels[i] ? 10.0 : 0.0;
                data[i * dims + k] = (float)(centre + Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            }
        }
        return (data, labels);
    }

    private static double NearestNeighbourAgreement(TSneResult result, int[] labels)
    {
        int agree = 0;
        for (int i = 0; i < result.Rows; i++)
        {
            int best = -1;
            double bestDistance = double.PositiveInfinity;
            for (int j = 0; j < result.Rows; j++)
            {
                if (j == i) continue;
                double d = 0;
                for (int k = 0; k < result.Dimensions; k++) { double t = result.Point(i)[k] - result.Point(j)[k]; d += t * t; }
                if (d < bestDistance) { bestDistance = d; best = j; }
            }
            if (labels[best] == labels[i]) agree++;
        }
        return agree / (double)result.Rows;
    }
}
