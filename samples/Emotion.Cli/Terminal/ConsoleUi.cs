using System.Globalization;
using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Preprocessing.Datasets;
using Spectre.Console;

namespace Emotion.Cli.Terminal;

/// <summary>Console output of the CLI: headings, tables and progress, rendered with Spectre.Console on the command's writer.</summary>
public sealed class ConsoleUi
{
    private readonly IAnsiConsole _console;

    /// <summary>Creates a UI writing to <paramref name="output"/> (colours only when it is an interactive terminal).</summary>
    public ConsoleUi(TextWriter output)
    {
        bool interactive = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive) _console.Profile.Width = 160;
    }

    /// <summary>The underlying Spectre console.</summary>
    public IAnsiConsole Console => _console;

    /// <summary>Writes a section heading.</summary>
    public void Heading(string text) => _console.Write(new Rule($"[bold]{Markup.Escape(text)}[/]").LeftJustified());

    /// <summary>Writes a plain line.</summary>
    public void Line(string text) => _console.WriteLine(text);

    /// <summary>Writes a table of dataset statistics, one column per dataset.</summary>
    public void DatasetStatistics(IReadOnlyList<DatasetStatistics> stats)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (var s in stats) table.AddColumn(new TableColumn(Markup.Escape(s.Name)).RightAligned());
        table.AddRow(["videos", .. stats.Select(s => s.Videos.ToString(CultureInfo.InvariantCulture))]);
        table.AddRow(["frames", .. stats.Select(s => s.Frames.ToString(CultureInfo.InvariantCulture))]);
        foreach (var category in EmotionCategories.WithOther)
            table.AddRow([category.ToName(), .. stats.Select(s => s.CountOf(category).ToString(CultureInfo.InvariantCulture))]);
        table.AddRow(["no category", .. stats.Select(s => s.UnlabeledCategoryFrames.ToString(CultureInfo.InvariantCulture))]);
        table.AddRow(["valence", .. stats.Select(s => s.Valence?.ToString() ?? "-")]);
        table.AddRow(["arousal", .. stats.Select(s => s.Arousal?.ToString() ?? "-")]);
        _console.Write(table);
    }

    /// <summary>Writes the field's metrics for several models side by side (a dash where a model does not predict that output).</summary>
    public void MetricsComparison(IReadOnlyList<(string Name, EmotionMetricsReport Metrics)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "macro F1", "accuracy", "0.67 F1 + 0.33 acc", "CCC valence", "CCC arousal", "mean CCC");
        foreach (var (name, m) in rows)
            table.AddRow(name, Format(m.MacroF1), Format(m.Accuracy), Format(m.AbawF1AccuracyExpressionScore), Format(m.CccValence), Format(m.CccArousal), Format(m.AbawVaScore));
        _console.Write(table);
    }

    private static string Format(double? value) => value?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>A table of the faces found in photos and what the model predicted for each.</summary>
    public void RealFaces(IReadOnlyList<Workflows.RealFaceResult> faces)
    {
        var table = new Table().AddColumns("image", "face box (x, y, w, h)", "detector score", "category", "confidence", "valence", "arousal");
        foreach (var f in faces)
        {
            var b = f.Face.Box;
            var p = f.Prediction;
            table.AddRow(f.Image, FormattableString.Invariant($"{b.X:0}, {b.Y:0}, {b.Width:0}, {b.Height:0}"),
                FormattableString.Invariant($"{f.Face.Score:0.00}"), p.Category?.ToName() ?? "-",
                p.Confidence is { } c ? FormattableString.Invariant($"{c:0.00}") : "-",
                p.Valence is { } v ? FormattableString.Invariant($"{v:+0.00;-0.00}") : "-",
                p.Arousal is { } a ? FormattableString.Invariant($"{a:+0.00;-0.00}") : "-");
        }
        _console.Write(table);
    }
}
