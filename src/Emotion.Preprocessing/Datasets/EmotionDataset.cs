using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Frames;

namespace Emotion.Preprocessing.Datasets;

/// <summary>A set of labelled videos, with the problems met while loading it (lenient mode, videos without frames).</summary>
public sealed class EmotionDataset
{
    /// <summary>Creates a dataset.</summary>
    /// <exception cref="ArgumentException">Two videos share an id.</exception>
    public EmotionDataset(string name, IEnumerable<VideoRecord> videos, IEnumerable<AnnotationIssue>? issues = null)
    {
        ArgumentNullException.ThrowIfNull(videos);
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Videos = videos.ToArray();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in Videos)
            if (!ids.Add(v.Id)) throw new ArgumentException($"Dataset '{name}': video '{v.Id}' appears twice.", nameof(videos));
        Issues = issues?.ToArray() ?? [];
    }

    /// <summary>A name for messages (for example the split).</summary>
    public string Name { get; }

    /// <summary>The videos, in a fixed order (sorted by id by the loaders).</summary>
    public IReadOnlyList<VideoRecord> Videos { get; }

    /// <summary>Problems reported while loading (empty in strict mode unless a video had no frames).</summary>
    public IReadOnlyList<AnnotationIssue> Issues { get; }

    /// <summary>The total number of frames.</summary>
    public int FrameCount => Videos.Sum(v => v.FrameCount);

    /// <summary>Counts, label distribution and VA ranges.</summary>
    public DatasetStatistics ComputeStatistics() => DatasetStatistics.Compute(this);

    /// <summary>
    /// Skip-and-report for damaged inputs: checks every frame stored as a file (<see cref="FileFrameSource"/>) with
    /// <see cref="ImageIntegrity"/> (empty, truncated or damaged JPEG/PNG; a file that cannot be read) and returns a
    /// dataset without those frames. Each skipped file is added to <see cref="Issues"/> (file, line 0, the reason), and
    /// a video left without frames is dropped and reported. Without this, such a frame throws
    /// <see cref="FrameDecodeException"/> when it is decoded. Reads every file once.
    /// </summary>
    /// <param name="skipped">The number of frames skipped.</param>
    public EmotionDataset WithoutDamagedFrames(out int skipped)
    {
        var frames = Videos.SelectMany(v => v.Frames).ToArray();
        var problems = new string?[frames.Length];
        Parallel.For(0, frames.Length, i =>
        {
            if (frames[i].Source is not FileFrameSource file) return;
            try { problems[i] = ImageIntegrity.CheckFile(file.Path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems[i] = ex is FileNotFoundException or DirectoryNotFoundException ? "the file does not exist." : $"the file cannot be read ({ex.Message}).";
            }
        });
        var issues = new List<AnnotationIssue>(Issues);
        var videos = new List<VideoRecord>(Videos.Count);
        int k = 0;
        skipped = 0;
        foreach (var video in Videos)
        {
            var kept = new List<VideoFrame>(video.FrameCount);
            foreach (var frame in video.Frames)
            {
                if (problems[k++] is { } problem)
                {
                    issues.Add(new AnnotationIssue(frame.Source.Name, 0, $"skipped frame {frame.Number} of video '{video.Id}': {problem}"));
                    skipped++;
                }
                else kept.Add(frame);
            }
            if (kept.Count == video.FrameCount) videos.Add(video);
            else if (kept.Count > 0) videos.Add(new VideoRecord(video.Id, kept));
            else issues.Add(new AnnotationIssue(video.Id, 0, $"video '{video.Id}' has no undamaged frames; skipped."));
        }
        return skipped == 0 ? this : new EmotionDataset(Name, videos, issues);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Videos.Count} videos, {FrameCount} frames";
}
