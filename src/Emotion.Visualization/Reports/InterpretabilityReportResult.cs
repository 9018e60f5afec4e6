namespace Emotion.Visualization.Reports;

/// <summary>What <see cref="InterpretabilityReport.Write"/> wrote.</summary>
/// <param name="Folder">The report's folder (absolute).</param>
/// <param name="SummaryPath">The JSON summary (<c>summary.json</c>).</param>
/// <param name="MarkdownPath">The Markdown summary (<c>report.md</c>).</param>
/// <param name="ImagePaths">Every image written (absolute paths).</param>
/// <param name="Summary">The numbers written to the JSON summary.</param>
public sealed record InterpretabilityReportResult(string Folder, string SummaryPath, string MarkdownPath,
    IReadOnlyList<string> ImagePaths, InterpretabilityReportSummary Summary);
