using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Visualization.Coloring;
using Emotion.Visualization.Plots;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Testing;

namespace Emotion.Visualization.Tests;

public class PlotTests
{
    private static readonly Rgb24 AngerRed = new(214, 39, 40);

    [Fact]
    public void ValenceArousalPlotDrawsASingleRedPointWhereItBelongs()
    {
        var options = new ValenceArousalPlotOptions { ShowCentroids = false, EllipseStandardDeviations = 0, Reference = null, PointSize = 10 };
        using var plot = ValenceArousalPlot.Create([(int)EmotionCategory.Anger], [0.5f], [-0.25f], options);
        using var image = PlotImages.Render(plot, 500, 400);
        var expected = plot.GetPixel(new ScottPlot.Coordinates(0.5, -0.25));
        Assert.True(PlotImages.Near(image[(int)expected.X, (int)expected.Y], AngerRed, 2), $"pixel at the point is {image[(int)expected.X, (int)expected.Y]}");
        var (count, minX, minY, maxX, maxY) = PlotImages.Find(image, AngerRed);
        // The red pixels are the point (and the legend's marker, at the right edge): the plot area holds no other red.
        Assert.InRange(count, 20, 400);
        var legendFree = PlotImages.Find(image.Clone(c => c.Crop(new SixLabors.ImageSharp.Rectangle(0, 0, (int)expected.X + 20, 400))), AngerRed);
        Assert.InRange(legendFree.MinX, (int)expected.X - 7, (int)expected.X);
        Assert.InRange(legendFree.MaxX, (int)expected.X, (int)expected.X + 7);
        Assert.InRange(legendFree.MinY, (int)expected.Y - 7, (int)expected.Y);
        Assert.InRange(legendFree.MaxY, (int)expected.Y, (int)expected.Y + 7);
        Assert.True(maxX >= minX && maxY >= minY);
    }

    [Fact]
    public void ValenceArousalPlotDrawsCentroidsEllipsesAndReference()
    {
        var rng = new Random(3);
        int n = 300;
        var cats = new int[n];
        var v = new float[n];
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            cats[i] = i % 3 == 0 ? (int)EmotionCategory.Happiness : i % 3 == 1 ? (int)EmotionCategory.Sadness : (int)EmotionCategory.Anger;
            float cv = cats[i] == (int)EmotionCategory.Happiness ? 0.7f : -0.5f;
            float ca = cats[i] == (int)EmotionCategory.Anger ? 0.6f : cats[i] == (int)EmotionCategory.Sadness ? -0.4f : 0.3f;
            v[i] = cv + (float)(rng.NextDouble() - 0.5) * 0.3f;
            a[i] = ca + (float)(rng.NextDouble() - 0.5) * 0.3f;
        }
        using var plot = ValenceArousalPlot.Create(cats, v, a);
        using var image = PlotImages.Render(plot, 700, 560);
        // The happiness centroid is drawn as a large filled circle in the category's colour.
        double meanV = 0, meanA = 0; int k = 0;
        for (int i = 0; i < n; i++) if (cats[i] == (int)EmotionCategory.Happiness) { meanV += v[i]; meanA += a[i]; k++; }
        var centre = plot.GetPixel(new ScottPlot.Coordinates(meanV / k, meanA / k));
        Assert.True(PlotImages.Near(image[(int)centre.X, (int)centre.Y], CategoryPalette.Of(EmotionCategory.Happiness), 3));
        // Surprise has no frames but a reference position (0.40, 0.67): its diamond is drawn in the surprise colour.
        Assert.True(PlotImages.Find(image, CategoryPalette.Of(EmotionCategory.Surprise)).Count > 10);
    }

    [Fact]
    public void ValenceArousalPlotRejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => ValenceArousalPlot.Create([0, 1], [0f], [0f, 0f]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ValenceArousalPlot.Create([9], [0f], [0f]));
        Assert.Contains("Frame 0", e.Message);
        Assert.Throws<ArgumentException>(() => ValenceArousalPlot.Create([0], [float.NaN], [0f]));
    }

    [Fact]
    public void ConfusionMatrixCellsAreColouredByRowShare()
    {
        var matrix = new ConfusionMatrix([[10, 0, 0], [5, 5, 0], [0, 2, 8]]);
        using var plot = ConfusionMatrixPlot.Create(matrix);
        using var image = PlotImages.Render(plot, 600, 500);
        var blues = ConfusionMatrixPlot.CellColormap;
        // Share 0 is white, 1 dark blue. Sample off the cell centre (where the annotation is): cell [target 0, predicted 0] (share 1) at x = 0, y = 2.
        void Check(int target, int predicted, double share)
        {
            var p = plot.GetPixel(new ScottPlot.Coordinates(predicted - 0.35, 2 - target + 0.35));
            var c = blues.GetColor(share);
            Assert.True(PlotImages.Near(image[(int)p.X, (int)p.Y], new Rgb24(c.R, c.G, c.B), 3),
                $"cell [{target},{predicted}] is {image[(int)p.X, (int)p.Y]}, expected {c}");
        }
        Check(0, 0, 1.0);
        Check(1, 0, 0.5);
        Check(2, 2, 0.8);
        Check(0, 2, 0.0);
        var white = plot.GetPixel(new ScottPlot.Coordinates(2 - 0.35, 2 + 0.35));
        Assert.True(PlotImages.Near(image[(int)white.X, (int)white.Y], new Rgb24(255, 255, 255), 3));
    }

    [Fact]
    public void TrainingCurvesFigureHasTwoPanelsOfTheRequestedSize()
    {
        var curves = TrainingCurves.Empty
            .Add("train loss", [1.0, 0.7, 0.5, 0.42], TrainingCurveKind.Loss)
            .Add("valid loss", [1.1, double.NaN, 0.6, 0.55], TrainingCurveKind.Loss)
            .Add("valid macro F1", [0.2, 0.35, 0.5, 0.55]);
        var figure = TrainingCurvesPlot.CreateFigure(curves);
        Assert.Equal(2, figure.Subplots.Count);
        using var temp = new TempFolder("emotion-plots-");
        var path = temp.File("curves.png");
        try
        {
            ScottPlot.IMultiplotExtensions.SavePng(figure, path, 1000, 400);
            using var image = SixLabors.ImageSharp.Image.Load<Rgba32>(path);
            Assert.Equal(1000, image.Width);
            Assert.Equal(400, image.Height);
            // The first curve's colour (Category10 blue, #1f77b4) is drawn in the left (loss) panel and the right (metrics) panel.
            using var left = image.Clone(c => c.Crop(new SixLabors.ImageSharp.Rectangle(0, 0, 500, 400)));
            using var right = image.Clone(c => c.Crop(new SixLabors.ImageSharp.Rectangle(500, 0, 500, 400)));
            Assert.True(PlotImages.Find(left, new Rgb24(0x1f, 0x77, 0xb4)).Count > 50);
            Assert.True(PlotImages.Find(right, new Rgb24(0x1f, 0x77, 0xb4)).Count > 50);
        }
        finally
        {
            foreach (var p in figure.Subplots.GetPlots()) p.Dispose();
        }
        Assert.Throws<ArgumentException>(() => TrainingCurves.Empty.Add("x", [1.0]).Add("x", [2.0]).Validate());
        Assert.Throws<ArgumentException>(() => TrainingCurves.Empty.Add("x", [double.PositiveInfinity]).Validate());
    }

    [Fact]
    public void FeatureScatterByValueUsesTheColourMapAndByCategoryThePalette()
    {
        var options = new FeatureScatterPlotOptions { PointSize = 12, ValueMin = -1, ValueMax = 1 };
        using var byValue = FeatureScatterPlot.CreateByValue([0.0, 1.0, 2.0], [0.0, 1.0, 0.5], [-1f, 0f, 1f], "valence", options);
        using var image = PlotImages.Render(byValue, 600, 400);
        var top = byValue.GetPixel(new ScottPlot.Coordinates(2.0, 0.5));
        Assert.True(PlotImages.Near(image[(int)top.X, (int)top.Y], ColorMaps.Turbo[255], 2));
        var bottom = byValue.GetPixel(new ScottPlot.Coordinates(0.0, 0.0));
        Assert.True(PlotImages.Near(image[(int)bottom.X, (int)bottom.Y], ColorMaps.Turbo[0], 2));

        using var byCategory = FeatureScatterPlot.CreateByCategory([0.0, 1.0], [0.0, 1.0], [(int)EmotionCategory.Sadness, -1], options);
        using var image2 = PlotImages.Render(byCategory, 600, 400);
        var sad = byCategory.GetPixel(new ScottPlot.Coordinates(0.0, 0.0));
        Assert.True(PlotImages.Near(image2[(int)sad.X, (int)sad.Y], CategoryPalette.Of(EmotionCategory.Sadness), 2));
        Assert.Throws<ArgumentException>(() => FeatureScatterPlot.CreateByValue([0.0], [0.0], [float.NaN], "valence"));
    }
}
