using SixLabors.ImageSharp;

namespace Emotion.Visualization.Reports;

/// <summary>An extra image for a report, for example a Grad-CAM overlay or a sequence strip.</summary>
/// <param name="Name">The file name without extension (letters, digits, '-', '_' and '.').</param>
/// <param name="Image">The image, saved as PNG; the caller keeps ownership.</param>
/// <param name="Caption">The caption shown in the Markdown summary.</param>
public sealed record ReportImage(string Name, Image Image, string Caption);
