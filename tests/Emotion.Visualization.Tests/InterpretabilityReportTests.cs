using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Visualization.Heatmaps;
using Emotion.Visualization.Plots;
using Emotion.Visualization.Reports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Testing;

namespace Emotion.Visualization.Tests;

public sealed class InterpretabilityReportTests : IDisposable
{
    // Set EMOTION_KEEP_TEST_OUTPUT to keep the report folder for viewing the images.
    private readonly TempFolder temp = new("emotion-report-");
    private string _folder => temp.Path;

    public void Dispose() => temp.Dispose();

    private static List<FrameLabel> Frames()
    {
        var rng = new Random(11);
        var frames = new List<FrameLabel>();
        (EmotionCategory Category, float V, float A)[] centres =
        [
            (EmotionCategory.Happiness, 0.7f, 0.4f), (EmotionCategory.Sadness, -0.6f, -0.3f), (EmotionCategory.Anger, -0.5f, 0.6f),
        ];
        for (int i = 0; i < 90; i++)
        {
            var (c, v, a) = centres[i % 3];
            frames.Add(new FrameLabel(c, v + (float)(rng.NextDouble() - 0.5) * 0.2f, a + (float)(rng.NextDouble() - 0.5) * 0.2f));
        }
        frames.Add(new FrameLabel(null, 0.1f, 0.1f));            // VA without category: plotted grey, not mapped
        frames.Add(new FrameLabel(EmotionCategory.Fear));         // category without VA: left out
        return frames;
    }

    [Fact]
    public void WritesEveryPartAndTheSummaryRoundTrips()
    {
        var frames = Frames();
        var matrix = new ConfusionMatrix([[8, 2, 0, 0, 0, 0, 0], [1, 9, 0, 0, 0, 0, 0], [0, 0, 5, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 7, 0, 0], [0, 0, 0, 0, 0, 6, 0], [0, 0, 0, 0, 0, 0, 4]]);
        var history = TrainingCurves.Empty
            .Add("train loss", [1.2, 0.8, 0.6], TrainingCurveKind.Loss)
            .Add("valid macro F1", [0.3, 0.6, 0.5]);
        var embedding = new FeatureEmbedding("pca", frames.Select((_, i) => (double)(i % 7)).ToArray(),
            frames.Select((_, i) => (double)(i % 5)).ToArray(), frames);
        using var overlay = new Image<Rgb24>(24, 24, new Rgb24(120, 120, 120));
        HeatmapOverlay.Apply(overlay, [0f, 1f, 1f, 0f], 2, 2);

        var result = InterpretabilityReport.Write(_folder, new InterpretabilityReportInput
        {
            Title = "Test report",
            Frames = frames,
            ConfusionMatrix = matrix,
            History = history,
            Embeddings = [embedding],
            Images = [new ReportImage("gradcam-happiness", overlay, "Grad-CAM for happiness")],
        });

        string[] expectedImages =
        [
            "va-plane.png", "confusion-matrix.png", "training-curves.png", "features-pca-category.png",
            "features-pca-valence.png", "features-pca-arousal.png", "gradcam-happiness.png",
        ];
        Assert.Equal(expectedImages, result.Summary.Images);
        foreach (var file in expectedImages)
        {
            var info = Image.Identify(Path.Combine(_folder, file));
            Assert.NotNull(info);
            Assert.Equal(file == "gradcam-happiness.png" ? 24 : file == "training-curves.png" ? 1800 : 900, info.Width);
        }

        var summary = InterpretabilityReportSummary.FromJson(File.ReadAllText(result.SummaryPath));
        Assert.Equal("Test report", summary.Title);
        Assert.Equal(92, summary.Frames);
        Assert.Equal(90, summary.MappedFrames);
        Assert.Equal(string.Join(",", result.Summary.Images), string.Join(",", summary.Images));
        Assert.Equal(3, summary.Categories.Length);

        // Centroids against a mean computed here.
        var happy = frames.Where(f => f.Category == EmotionCategory.Happiness && f.HasValenceArousal).ToList();
        var happySummary = summary.Categories.Single(c => c.Category == "happiness");
        Assert.Equal(happy.Count, happySummary.Count);
        Assert.Equal(happy.Average(f => (double)f.Valence!.Value), happySummary.Centroid.Valence, 6);
        Assert.Equal(happy.Average(f => (double)f.Arousal!.Value), happySummary.Centroid.Arousal, 6);
        Assert.Equal(0.81, happySummary.Reference!.Value.Valence, 6);

        // Three well separated clusters: the VA classifiers recover them.
        Assert.Contains(summary.VaClassifiers, c => c.Name.StartsWith("nearest centroid", StringComparison.Ordinal) && c.Accuracy == 1.0);
        Assert.Equal(39.0 / 42.0, summary.Model!.Accuracy, 9);
        Assert.Equal(42, summary.Model.Frames);
        Assert.Equal(2, summary.Model.Counts[0][1]);

        var loss = summary.Curves.Single(c => c.Name == "train loss");
        Assert.Equal((3, 0.6, 3, 0.6), (loss.LastEpoch, loss.Last, loss.BestEpoch, loss.Best));
        var f1 = summary.Curves.Single(c => c.Name == "valid macro F1");
        Assert.Equal((3, 0.5, 2, 0.6), (f1.LastEpoch, f1.Last, f1.BestEpoch, f1.Best));

        Assert.Equal(summary.ToJson(), InterpretabilityReportSummary.FromJson(summary.ToJson()).ToJson());
        string markdown = File.ReadAllText(result.MarkdownPath);
        Assert.Contains("# Test report", markdown);
        Assert.Contains("(va-plane.png)", markdown);
        Assert.Contains("| happiness | 30 |", markdown);
    }

    [Fact]
    public void EmptyInputWritesOnlyTheSummaries()
    {
        var result = InterpretabilityReport.Write(_folder, new InterpretabilityReportInput());
        Assert.Empty(result.ImagePaths);
        Assert.True(File.Exists(result.SummaryPath));
        Assert.True(File.Exists(result.MarkdownPath));
        Assert.Equal(0, InterpretabilityReportSummary.FromJson(File.ReadAllText(result.SummaryPath)).Frames);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        Assert.Throws<FormatException>(() => InterpretabilityReportSummary.FromJson("{ not json"));
        using var image = new Image<Rgb24>(2, 2);
        var e = Assert.Throws<ArgumentException>(() => InterpretabilityReport.Write(_folder, new InterpretabilityReportInput
        {
            Images = [new ReportImage("../escape", image, "bad")],
        }));
        Assert.Contains("../escape", e.Message);
        Assert.Throws<ArgumentException>(() => InterpretabilityReport.Write(_folder, new InterpretabilityReportInput
        {
            Embeddings = [new FeatureEmbedding("pca", [0.0, 1.0], [0.0], [])],
        }));
    }
}
