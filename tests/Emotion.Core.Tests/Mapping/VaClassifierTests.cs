using Emotion.Testing;
using Emotion.Core.Mapping;

namespace Emotion.Core.Tests.Mapping;

public class VaClassifierTests
{
    [Fact]
    public void GaussianClassifierMatchesScikitLearnQda()
    {
        var (c, v, a) = CategoryVaMappingTests.FixtureData();
        var f = Fixture.Load("mapping.json");
        var qda = GaussianVaClassifier.FromMapping(CategoryVaMapping.Fit(c, v, a), new GaussianVaClassifierOptions { Regularization = 0 });
        float[] gv = f.Floats("gridValence"), ga = f.Floats("gridArousal");
        int[] expected = f.Ints("qdaPredictions");
        double[] posteriors = f.Doubles("qdaPosteriors");
        var predicted = new int[gv.Length];
        qda.Predict(gv, ga, predicted);
        Assert.Equal(expected, predicted);
        var post = new double[7];
        for (int i = 0; i < gv.Length; i++)
        {
            qda.Posteriors(gv[i], ga[i], post);
            for (int k = 0; k < 7; k++) Assert.True(Math.Abs(posteriors[i * 7 + k] - post[k]) < 1e-8, $"point {i} class {k}: {post[k]} vs {posteriors[i * 7 + k]}");
        }
    }

    [Fact]
    public void NearestCentroidMatchesScikitLearn()
    {
        var (c, v, a) = CategoryVaMappingTests.FixtureData();
        var f = Fixture.Load("mapping.json");
        var nc = NearestCentroidClassifier.FromMapping(CategoryVaMapping.Fit(c, v, a));
        float[] gv = f.Floats("gridValence"), ga = f.Floats("gridArousal");
        var predicted = new int[gv.Length];
        nc.Predict(gv, ga, predicted);
        Assert.Equal(f.Ints("nearestCentroidPredictions"), predicted);
    }

    [Fact]
    public void SeparatedClustersAreRecoveredFromVa()
    {
        var (train, trainV, trainA) = Clusters(seed: 1, perClass: 200);
        var (test, testV, testA) = Clusters(seed: 2, perClass: 200);
        var mapping = CategoryVaMapping.Fit(train, trainV, trainA, classCount: 4);
        foreach (VaCategoryClassifier classifier in new VaCategoryClassifier[]
                 { NearestCentroidClassifier.FromMapping(mapping), GaussianVaClassifier.FromMapping(mapping, new() { Priors = VaClassPriors.Uniform }) })
        {
            var matrix = classifier.Evaluate(test, testV, testA);
            Assert.Equal(800, matrix.Total);
            Assert.True(matrix.Accuracy() > 0.97, $"{classifier.GetType().Name}: accuracy {matrix.Accuracy()}");
            Assert.True(matrix.MacroF1() > 0.97);
        }
    }

    [Fact]
    public void GaussianUsesCovarianceWhereNearestCentroidCannot()
    {
        // Class 0: wide along valence around (0, 0) (sd 0.5); class 1: tight around (0.5, 0) (sd 0.05). The point (0.8, 0) is
        // nearer centroid 1 (0.3 vs 0.8) but 6 sd from it, against 1.6 sd from class 0, so the Gaussian classifier picks class 0.
        var rng = new Random(3);
        var cats = new List<int>(); var vs = new List<float>(); var ars = new List<float>();
        for (int i = 0; i < 500; i++)
        {
            cats.Add(0); vs.Add((float)(Normal(rng) * 0.5)); ars.Add((float)(Normal(rng) * 0.05));
            cats.Add(1); vs.Add((float)(0.5 + Normal(rng) * 0.05)); ars.Add((float)(Normal(rng) * 0.05));
        }
        var mapping = CategoryVaMapping.Fit(cats.ToArray(), vs.ToArray(), ars.ToArray(), classCount: 2);
        Assert.Equal(1, NearestCentroidClassifier.FromMapping(mapping).Predict(0.8, 0));
        Assert.Equal(0, GaussianVaClassifier.FromMapping(mapping).Predict(0.8, 0));
    }

    [Fact]
    public void AgreementBetweenPredictedCategoriesAndPredictedVa()
    {
        var reference = NearestCentroidClassifier.FromReference(CircumplexReference.RussellMehrabian1977);
        // Frames 0-2 consistent (happiness at the happy position, sadness at sad, anger at angry); frame 3 says happiness with sad VA.
        int[] categories = [4, 5, 1, 4];
        float[] v = [0.8f, -0.6f, -0.5f, -0.6f], a = [0.5f, -0.3f, 0.6f, -0.25f];
        var agreement = VaAgreement.Compute(reference, categories, v, a);
        Assert.Equal(4, agreement.Frames);
        Assert.Equal(0.75, agreement.Rate, 12);
        Assert.Equal(1, agreement.Matrix[4, 5]);
        var predictions = Enumerable.Range(0, 4).Select(i => { var p = new float[7]; p[categories[i]] = 1; return new FramePrediction(i, [.. p], v[i], a[i]); });
        Assert.Equal(agreement, VaAgreement.Compute(reference, predictions) with { Matrix = agreement.Matrix });
        Assert.Throws<ArgumentException>(() => VaAgreement.Compute(reference, [-1], [0f], [0f]));
    }

    [Fact]
    public void ClassifierValidation()
    {
        Assert.Throws<ArgumentException>(() => new NearestCentroidClassifier(3, []));
        Assert.Throws<ArgumentException>(() => new NearestCentroidClassifier(3, [KeyValuePair.Create(5, new VaPoint(0, 0))]));
        // Collinear frames have a singular covariance: a clear error without regularisation, fine with it.
        var line = CategoryVaMapping.Fit([0, 0, 0], [0f, 0.1f, 0.2f], [0f, 0.1f, 0.2f], 1);
        Assert.Contains("singular", Assert.Throws<ArgumentException>(() => GaussianVaClassifier.FromMapping(line, new() { Regularization = 0 })).Message);
        Assert.Equal(0, GaussianVaClassifier.FromMapping(line).Predict(0.5, 0.5));
        var single = CategoryVaMapping.Fit([0], [0f], [0f], 1);
        Assert.Throws<ArgumentException>(() => GaussianVaClassifier.FromMapping(single));
    }

    private static (int[], float[], float[]) Clusters(int seed, int perClass)
    {
        VaPoint[] centres = [new(0.6, 0.5), new(-0.6, 0.5), new(-0.6, -0.5), new(0.6, -0.5)];
        var rng = new Random(seed);
        int n = centres.Length * perClass;
        var c = new int[n]; var v = new float[n]; var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            c[i] = i % centres.Length;
            v[i] = (float)(centres[c[i]].Valence + 0.15 * Normal(rng));
            a[i] = (float)(centres[c[i]].Arousal + 0.15 * Normal(rng));
        }
        return (c, v, a);
    }

    internal static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
