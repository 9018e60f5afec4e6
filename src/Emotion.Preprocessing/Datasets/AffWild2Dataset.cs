using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Frames;

namespace Emotion.Preprocessing.Datasets;

/// <summary>
/// Loads one split of a dataset in the Aff-Wild2 layout (<see cref="AffWild2Layout"/>). The videos are those with an
/// annotation file in <c>EXPR_Set/&lt;split&gt;</c> or <c>VA_Set/&lt;split&gt;</c> (either set may be absent); each
/// video's frames come from <c>&lt;frames root&gt;/&lt;video&gt;/</c>, and frame N gets annotation line N (after the
/// header). Frames missing from the folder are skipped, never shifted.
/// </summary>
public static class AffWild2Dataset
{
    /// <summary>Loads a split of the standard layout under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">Neither annotation set has the split.</exception>
    /// <exception cref="AnnotationFormatException">Strict mode: a malformed annotation file, or one shorter than the highest frame number.</exception>
    public static EmotionDataset Load(string root, string split = AffWild2Layout.TrainingSplit, AnnotationLoadOptions? annotations = null) =>
        Load(AffWild2DatasetOptions.ForRoot(root, split, annotations));

    /// <summary>Loads a split.</summary>
    /// <remarks>
    /// A video with annotations but no frame folder (or an empty one) is left out and reported in
    /// <see cref="EmotionDataset.Issues"/>, in strict mode too. An annotation file with fewer label lines than the
    /// highest frame number throws in strict mode (naming the file and the first missing line); in lenient mode it is
    /// reported and the frames beyond it are unlabeled.
    /// </remarks>
    /// <exception cref="DirectoryNotFoundException">The frames root is missing, or neither annotation set has the split.</exception>
    /// <exception cref="AnnotationFormatException">Strict mode: a malformed or short annotation file.</exception>
    public static EmotionDataset Load(AffWild2DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(options.FramesRoot))
            throw new DirectoryNotFoundException($"Frames root '{options.FramesRoot}' does not exist (expected one folder of frames per video).");
        var exprFolder = AffWild2Layout.SplitFolder(options.AnnotationsRoot, AffWild2Layout.ExpressionSet, options.Split);
        var vaFolder = AffWild2Layout.SplitFolder(options.AnnotationsRoot, AffWild2Layout.ValenceArousalSet, options.Split);
        bool hasExpr = Directory.Exists(exprFolder), hasVa = Directory.Exists(vaFolder);
        if (!hasExpr && !hasVa)
            throw new DirectoryNotFoundException($"No annotations for split '{options.Split}': neither '{exprFolder}' nor '{vaFolder}' exists.");

        var ids = new SortedSet<string>(StringComparer.Ordinal);
        if (hasExpr) ids.UnionWith(AnnotationIds(exprFolder));
        if (hasVa) ids.UnionWith(AnnotationIds(vaFolder));

        var issues = new List<AnnotationIssue>();
        var sink = new IssueSink(options.Annotations, issues);
        var videos = new List<VideoRecord>(ids.Count);
        foreach (var id in ids)
        {
            var folder = AffWild2Layout.VideoFramesFolder(options.FramesRoot, id);
            if (!Directory.Exists(folder))
            {
                issues.Add(new AnnotationIssue(folder, 0, $"video '{id}' has annotations but no frame folder; skipped."));
                continue;
            }
            var frames = FrameSources.FromFolder(folder);
            if (frames.Count == 0)
            {
                issues.Add(new AnnotationIssue(folder, 0, $"video '{id}' has no frames; skipped."));
                continue;
            }
            var exprFile = Path.Combine(exprFolder, id + ".txt");
            var vaFile = Path.Combine(vaFolder, id + ".txt");
            var expr = hasExpr && File.Exists(exprFile) ? AffWild2Annotations.ReadExpressions(exprFile, options.Annotations, issues) : null;
            var va = hasVa && File.Exists(vaFile) ? AffWild2Annotations.ReadValenceArousal(vaFile, options.Annotations, issues) : null;
            int last = frames[^1].Number;
            if (expr is not null && expr.FrameCount < last)
                ReportShort(sink, expr.File, expr.FrameCount, frames, last);
            if (va is not null && va.FrameCount < last)
                ReportShort(sink, va.File, va.FrameCount, frames, last);
            videos.Add(new VideoRecord(id, frames.Select(f => new VideoFrame(f.Number, f.Source, LabelOf(f.Number, expr, va)))));
        }
        return new EmotionDataset(options.Split, videos, issues);
    }

    /// <summary>The label of frame <paramref name="number"/> from the two annotation files (either may be null or too short: unlabeled).</summary>
    internal static FrameLabel LabelOf(int number, ExpressionAnnotation? expr, ValenceArousalAnnotation? va)
    {
        EmotionCategory? category = expr is not null && number <= expr.FrameCount ? expr[number] : null;
        (float? v, float? a) = va is not null && number <= va.FrameCount ? va[number] : (null, null);
        return new FrameLabel(category, v, a);
    }

    private static void ReportShort(IssueSink sink, string file, int lines, IReadOnlyList<NumberedFrame> frames, int last)
    {
        var firstBeyond = frames.First(f => f.Number > lines);
        sink.Report(file, lines + 2,
            $"the file ends after {lines} frame lines, but frame {firstBeyond.Number} ('{firstBeyond.Source.Name}') exists and the highest frame number is {last}; expected at least {last} lines after the header.");
    }

    private static IEnumerable<string> AnnotationIds(string folder) =>
        Directory.EnumerateFiles(folder, "*.txt").Select(f => Path.GetFileNameWithoutExtension(f)!);
}
