using Emotion.Preprocessing.Annotations;

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

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Videos.Count} videos, {FrameCount} frames";
}
