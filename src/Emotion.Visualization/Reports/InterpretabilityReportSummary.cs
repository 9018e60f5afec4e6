using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using Emotion.Core;

namespace Emotion.Visualization.Reports;

/// <summary>The numbers of an interpretability report, written as <c>summary.json</c> (camelCase, enums as strings).</summary>
public sealed record InterpretabilityReportSummary
{
    /// <summary>The report's title.</summary>
    public required string Title { get; init; }

    /// <summary>Where the frames come from ("labels", "predictions", ...).</summary>
    public required string FramesSource { get; init; }

    /// <summary>Number of frames given.</summary>
    public int Frames { get; init; }

    /// <summary>Number of frames with a category and both valence and arousal (those the mapping uses).</summary>
    public long MappedFrames { get; init; }

    /// <summary>Name of the reference positions compared with, or null.</summary>
    public string? Reference { get; init; }

    /// <summary>Per-category VA statistics.</summary>
    public ImmutableArray<CategorySummary> Categories { get; init; } = [];

    /// <summary>Classifiers that read the category from VA (nearest centroid, Gaussian, reference positions), evaluated on the frames.</summary>
    public ImmutableArray<ClassifierSummary> VaClassifiers { get; init; } = [];

    /// <summary>The model's classification scores from the given confusion matrix, or null.</summary>
    public ClassifierSummary? Model { get; init; }

    /// <summary>Last and best value of each training curve.</summary>
    public ImmutableArray<CurveSummary> Curves { get; init; } = [];

    /// <summary>The image files of the report, relative to its folder.</summary>
    public ImmutableArray<string> Images { get; init; } = [];

    /// <summary>Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a report summary.</exception>
    public static InterpretabilityReportSummary FromJson(string json)
        => EmotionJson.Deserialize<InterpretabilityReportSummary>(json, "report summary");
}
