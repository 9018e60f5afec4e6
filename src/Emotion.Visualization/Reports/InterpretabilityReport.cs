using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.Core.Metrics;
using Emotion.Visualization.Plots;
using ScottPlot;
using SixLabors.ImageSharp;

namespace Emotion.Visualization.Reports;

/// <summary>
/// Writes an interpretability report into a folder in one call: the VA plane (<c>va-plane.png</c>), the confusion matrix
/// (<c>confusion-matrix.png</c>), the training curves (<c>training-curves.png</c>), the feature-space views
/// (<c>features-METHOD-category.png</c>, <c>-valence.png</c>, <c>-arousal.png</c>), any extra images, and the summary as
/// <c>summary.json</c> (<see cref="InterpretabilityReportSummary"/>) and <c>report.md</c>. Parts whose input is missing are skipped.
/// </summary>
/// <example>
/// <code>
/// InterpretabilityReport.Write("out/report", new InterpretabilityReportInput { Frames = labels, ConfusionMatrix = matrix, History = curves });
/// </code>
/// </example>
public static class InterpretabilityReport
{
    /// <summary>The JSON summary's file name.</summary>
    public const string SummaryFileName = "summary.json";

    /// <summary>The Markdown summary's file name.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>Writes the report (creating the folder; files of the same names are replaced).</summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="input">What to report.</param>
    /// <param name="options">Plot sizes and settings; null for <see cref="InterpretabilityReportOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">An input part is invalid (the message names it).</exception>
    public static InterpretabilityReportResult Write(string folder, InterpretabilityReportInput input, InterpretabilityReportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(input);
        options = (options ?? InterpretabilityReportOptions.Default).Validate();
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var images = new List<(string File, string Caption)>();
        int w = options.PlotWidth, h = options.PlotHeight;

        void Save(ScottPlot.Plot plot, string file, string caption)
        {
            using (plot) plot.SavePng(Path.Combine(folder, file), w, h);
            images.Add((file, caption));
        }

        // VA plane and the category/VA mapping.
        var (categories, valence, arousal) = ValenceArousalPlot.ToArrays(input.Frames ?? []);
        CategoryVaMapping? mapping = null;
        var vaClassifiers = ImmutableArray.CreateBuilder<ClassifierSummary>();
        if (categories.Length > 0)
        {
            Save(ValenceArousalPlot.Create(categories, valence, arousal, new ValenceArousalPlotOptions
            {
                Title = $"Valence-arousal plane ({input.FramesSource})",
                ClassCount = input.ClassCount,
                EllipseStandardDeviations = options.EllipseStandardDeviations,
                Reference = options.Reference,
            }), "va-plane.png", $"Frames on the valence-arousal plane by category ({input.FramesSource}), centroids with {options.EllipseStandardDeviations.ToString("0.##", CultureInfo.InvariantCulture)} sd ellipses" +
                (options.Reference is null ? "." : $", and the reference positions ({options.Reference.Name})."));
            mapping = CategoryVaMapping.Fit(categories, valence, arousal, input.ClassCount);
            if (mapping.TotalCount > 0)
            {
                vaClassifiers.Add(Score("nearest centroid on VA", NearestCentroidClassifier.FromMapping(mapping).Evaluate(categories, valence, arousal)));
                if (mapping.Stats.Any(s => s.Count >= 2))
                    vaClassifiers.Add(Score("gaussian (QDA) on VA", GaussianVaClassifier.FromMapping(mapping).Evaluate(categories, valence, arousal)));
                if (options.Reference is { Positions.Length: > 0 } reference && input.ClassCount >= EmotionCategories.BasicCount)
                    vaClassifiers.Add(Score($"nearest reference position ({reference.Name})",
                        NearestCentroidClassifier.FromReference(reference, input.ClassCount).Evaluate(categories, valence, arousal)));
            }
        }

        if (input.ConfusionMatrix is { } matrix)
            Save(ConfusionMatrixPlot.Create(matrix), "confusion-matrix.png", "The model's confusion matrix (rows: target, columns: prediction; colour: share of the row).");

        var curves = ImmutableArray<CurveSummary>.Empty;
        if (input.History is { Curves.IsDefaultOrEmpty: false } history)
        {
            var figure = TrainingCurvesPlot.CreateFigure(history);
            int panels = figure.Subplots.Count;
            figure.SavePng(Path.Combine(folder, "training-curves.png"), w * panels, h);
            foreach (var plot in figure.Subplots.GetPlots()) plot.Dispose();
            images.Add(("training-curves.png", "Training curves: losses and metrics per epoch."));
            curves = [.. history.Curves.Select(SummarizeCurve).OfType<CurveSummary>()];
        }

        foreach (var embedding in input.Embeddings ?? [])
        {
            embedding.Validate();
            double[] xs = [.. embedding.X], ys = [.. embedding.Y];
            var cats = new int[xs.Length];
            for (int i = 0; i < cats.Length; i++) cats[i] = embedding.Frames[i].Category is { } c ? (int)c : -1;
            var plotOptions = new FeatureScatterPlotOptions { Title = $"Features ({embedding.Method})", XLabel = $"{embedding.Method} 1", YLabel = $"{embedding.Method} 2" };
            Save(FeatureScatterPlot.CreateByCategory(xs, ys, cats, plotOptions), $"features-{embedding.Method}-category.png",
                $"Per-frame features ({embedding.Method}) coloured by category.");
            foreach (var (name, pick) in new (string, Func<FrameLabel, float?>)[] { ("valence", f => f.Valence), ("arousal", f => f.Arousal) })
            {
                var keep = new List<int>();
                for (int i = 0; i < xs.Length; i++) if (pick(embedding.Frames[i]) is not null) keep.Add(i);
                if (keep.Count == 0) continue;
                var vx = keep.Select(i => xs[i]).ToArray();
                var vy = keep.Select(i => ys[i]).ToArray();
                var values = keep.Select(i => pick(embedding.Frames[i])!.Value).ToArray();
                Save(FeatureScatterPlot.CreateByValue(vx, vy, values, name, plotOptions with { ValueMin = -1, ValueMax = 1 }),
                    $"features-{embedding.Method}-{name}.png", $"Per-frame features ({embedding.Method}) coloured by {name}.");
            }
        }

        foreach (var extra in input.Images ?? [])
        {
            if (string.IsNullOrWhiteSpace(extra.Name) || extra.Name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')))
                throw new ArgumentException($"Report image name '{extra.Name}' must use only letters, digits, '-', '_' and '.'.", nameof(input));
            ArgumentNullException.ThrowIfNull(extra.Image, nameof(extra.Image));
            string file = extra.Name + ".png";
            extra.Image.SaveAsPng(Path.Combine(folder, file));
            images.Add((file, extra.Caption));
        }

        var summary = new InterpretabilityReportSummary
        {
            Title = input.Title,
            FramesSource = input.FramesSource,
            Frames = input.Frames?.Count ?? 0,
            MappedFrames = mapping?.TotalCount ?? 0,
            Reference = options.Reference?.Name,
            Categories = mapping is null ? [] : Summarize(mapping, options.Reference),
            VaClassifiers = vaClassifiers.ToImmutable(),
            Model = input.ConfusionMatrix is { Total: > 0 } m ? Score("model", m) : null,
            Curves = curves,
            Images = [.. images.Select(i => i.File)],
        };
        string summaryPath = Path.Combine(folder, SummaryFileName);
        string markdownPath = Path.Combine(folder, MarkdownFileName);
        File.WriteAllText(summaryPath, summary.ToJson());
        File.WriteAllText(markdownPath, ToMarkdown(summary, images));
        return new InterpretabilityReportResult(folder, summaryPath, markdownPath,
            [.. images.Select(i => Path.Combine(folder, i.File))], summary);
    }

    private static ClassifierSummary Score(string name, ConfusionMatrix matrix)
    {
        var counts = matrix.Counts.Select(row => row.ToArray()).ToArray();
        return matrix.Total == 0
            ? new ClassifierSummary(name, 0, 0, 0, counts)
            : new ClassifierSummary(name, matrix.Total, matrix.Accuracy(), matrix.MacroF1(), counts);
    }

    private static ImmutableArray<CategorySummary> Summarize(CategoryVaMapping mapping, CircumplexReference? reference)
    {
        var result = ImmutableArray.CreateBuilder<CategorySummary>();
        foreach (var stats in mapping.Stats)
        {
            ReferencePosition? position = stats.Category is { } c ? reference?[c] : null;
            result.Add(new CategorySummary(
                stats.Category?.ToName() ?? $"class {stats.ClassIndex}", stats.ClassIndex, stats.Count, stats.Centroid, stats.Covariance,
                position?.Position, position is null ? null : stats.Centroid.DistanceTo(position.Position)));
        }
        return result.ToImmutable();
    }

    private static CurveSummary? SummarizeCurve(TrainingCurve curve)
    {
        if (curve.Last() is not { } last) return null;
        bool lowerIsBetter = curve.Kind == TrainingCurveKind.Loss;
        int epochs = 0, bestIndex = -1;
        for (int i = 0; i < curve.Values.Count; i++)
        {
            double v = curve.Values[i];
            if (double.IsNaN(v)) continue;
            epochs++;
            if (bestIndex < 0 || (lowerIsBetter ? v < curve.Values[bestIndex] : v > curve.Values[bestIndex])) bestIndex = i;
        }
        return new CurveSummary(curve.Name, lowerIsBetter ? "loss" : "metric", epochs, last.Epoch, last.Value,
            curve.FirstEpoch + bestIndex, curve.Values[bestIndex]);
    }

    private static string ToMarkdown(InterpretabilityReportSummary summary, List<(string File, string Caption)> images)
    {
        var ci = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append("# ").AppendLine(summary.Title).AppendLine();
        md.AppendLine(ci, $"Frames: {summary.Frames} ({summary.FramesSource}); with a category and valence/arousal: {summary.MappedFrames}.").AppendLine();
        if (summary.Categories.Length > 0)
        {
            md.AppendLine("## Categories on the valence-arousal plane").AppendLine();
            md.AppendLine(summary.Reference is null
                ? "| category | frames | valence | arousal | sd valence | sd arousal |\n|---|---:|---:|---:|---:|---:|"
                : $"| category | frames | valence | arousal | sd valence | sd arousal | reference ({summary.Reference}) | distance |\n|---|---:|---:|---:|---:|---:|---|---:|");
            foreach (var c in summary.Categories)
            {
                md.Append(ci, $"| {c.Category} | {c.Count} | {c.Centroid.Valence:0.000} | {c.Centroid.Arousal:0.000} | {Math.Sqrt(c.Covariance.ValenceVariance):0.000} | {Math.Sqrt(c.Covariance.ArousalVariance):0.000} |");
                if (summary.Reference is not null)
                    md.Append(c.Reference is { } r ? string.Create(ci, $" ({r.Valence:0.00}, {r.Arousal:0.00}) | {c.DistanceToReference:0.000} |") : " - | - |");
                md.AppendLine();
            }
            md.AppendLine();
        }
        if (summary.VaClassifiers.Length > 0 || summary.Model is not null)
        {
            md.AppendLine("## Categories recovered").AppendLine();
            md.AppendLine("How well each classifier predicts the frames' categories (the VA classifiers read the category from valence and arousal alone).").AppendLine();
            md.AppendLine("| classifier | frames | accuracy | macro F1 |\n|---|---:|---:|---:|");
            foreach (var c in summary.Model is null ? summary.VaClassifiers : summary.VaClassifiers.Add(summary.Model))
                md.AppendLine(ci, $"| {c.Name} | {c.Frames} | {c.Accuracy:0.000} | {c.MacroF1:0.000} |");
            md.AppendLine();
        }
        if (summary.Curves.Length > 0)
        {
            md.AppendLine("## Training").AppendLine();
            md.AppendLine("| curve | kind | epochs | last (epoch) | best (epoch) |\n|---|---|---:|---:|---:|");
            foreach (var c in summary.Curves)
                md.AppendLine(ci, $"| {c.Name} | {c.Kind} | {c.Epochs} | {c.Last:0.0000} ({c.LastEpoch}) | {c.Best:0.0000} ({c.BestEpoch}) |");
            md.AppendLine();
        }
        if (images.Count > 0)
        {
            md.AppendLine("## Figures").AppendLine();
            foreach (var (file, caption) in images) md.AppendLine(ci, $"![{caption}]({file})").AppendLine().AppendLine(caption).AppendLine();
        }
        return md.ToString();
    }
}
