using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Frames;

namespace Emotion.Preprocessing.Datasets;

/// <summary>
/// Loads a dataset described by a CSV manifest (<see cref="CsvManifest"/>).
/// <list type="bullet">
/// <item>With a <c>path</c> column, each row names its image (relative paths are resolved against the manifest's folder) and the video's frames are exactly the rows.</item>
/// <item>Without it, the frames of video V are the numbered images in <c>&lt;frames root&gt;/V/</c> (the cropped_aligned
/// layout; the frames root defaults to the manifest's folder); rows label them by number, frames without a row are
/// unlabeled, and rows for frame numbers without an image are skipped (no face found).</item>
/// </list>
/// Videos are sorted by id.
/// </summary>
public static class CsvManifestDataset
{
    /// <summary>Loads a manifest dataset.</summary>
    /// <param name="manifestPath">The CSV manifest.</param>
    /// <param name="framesRoot">The folder holding a frame folder per video (only without a <c>path</c> column; default: the manifest's folder).</param>
    /// <param name="options">Strict or lenient (null = strict).</param>
    /// <exception cref="AnnotationFormatException">Strict mode: a malformed manifest row, or a <c>path</c> that does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">Strict mode, no <c>path</c> column: a video's frame folder is missing.</exception>
    public static EmotionDataset Load(string manifestPath, string? framesRoot = null, AnnotationLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        options ??= AnnotationLoadOptions.Strict;
        var issues = new List<AnnotationIssue>();
        var sink = new IssueSink(options, issues);
        var rows = CsvManifest.ReadWithLines(manifestPath, options, issues);
        var lines = rows.ToDictionary(r => (r.Entry.Video, r.Entry.Frame), r => r.Line);
        var entries = rows.Select(r => r.Entry).ToList();
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        framesRoot ??= baseDir;
        var videos = new List<VideoRecord>();
        foreach (var group in entries.GroupBy(e => e.Video, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (group.Any(e => e.Path is not null))
            {
                var frames = new List<VideoFrame>();
                foreach (var e in group.OrderBy(e => e.Frame))
                {
                    if (e.Path is null)
                    {
                        sink.Report(manifestPath, lines[(e.Video, e.Frame)], $"video '{e.Video}' frame {e.Frame} has an empty path while other rows of the video have one; expected the frame's image file.");
                        continue;
                    }
                    var file = Path.IsPathRooted(e.Path) ? e.Path : Path.Combine(baseDir, e.Path);
                    if (!File.Exists(file))
                    {
                        sink.Report(manifestPath, lines[(e.Video, e.Frame)], $"video '{e.Video}' frame {e.Frame}: image '{file}' does not exist.");
                        continue;
                    }
                    frames.Add(new VideoFrame(e.Frame, new FileFrameSource(file), e.Label));
                }
                if (frames.Count > 0) videos.Add(new VideoRecord(group.Key, frames));
            }
            else
            {
                var folder = Path.Combine(framesRoot, group.Key);
                if (!Directory.Exists(folder))
                {
                    if (!options.Lenient)
                        throw new DirectoryNotFoundException($"Manifest '{manifestPath}': the frame folder '{folder}' of video '{group.Key}' does not exist.");
                    issues.Add(new AnnotationIssue(folder, 0, $"video '{group.Key}' has manifest rows but no frame folder; skipped."));
                    continue;
                }
                var labels = group.ToDictionary(e => e.Frame, e => e.Label);
                var frames = FrameSources.FromFolder(folder)
                    .Select(f => new VideoFrame(f.Number, f.Source, labels.GetValueOrDefault(f.Number, FrameLabel.Unlabeled)))
                    .ToList();
                if (frames.Count > 0) videos.Add(new VideoRecord(group.Key, frames));
                else issues.Add(new AnnotationIssue(folder, 0, $"video '{group.Key}' has no frames; skipped."));
            }
        }
        return new EmotionDataset(Path.GetFileNameWithoutExtension(manifestPath), videos, issues);
    }
}
