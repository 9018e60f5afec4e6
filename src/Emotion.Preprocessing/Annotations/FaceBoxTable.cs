using Emotion.Core.Faces;


namespace Emotion.Preprocessing.Annotations;

/// <summary>Face boxes by (video, frame number), as read by <see cref="FaceBoxCsv"/>. Immutable and thread-safe.</summary>
public sealed class FaceBoxTable
{
    private readonly Dictionary<(string Video, int Frame), FaceBox> boxes;

    /// <summary>Wraps a dictionary of boxes (copied).</summary>
    /// <param name="boxes">The box of each (video, 1-based frame number).</param>
    public FaceBoxTable(IEnumerable<KeyValuePair<(string Video, int Frame), FaceBox>> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        this.boxes = new Dictionary<(string, int), FaceBox>(boxes);
        Videos = [.. this.boxes.Keys.Select(k => k.Video).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The number of boxes.</summary>
    public int Count => boxes.Count;

    /// <summary>The video ids that have at least one box, in ordinal order.</summary>
    public IReadOnlyList<string> Videos { get; }

    /// <summary>Whether <paramref name="video"/> has any box.</summary>
    public bool HasVideo(string video) => Videos.Contains(video, StringComparer.Ordinal);

    /// <summary>The box of <paramref name="video"/>'s frame <paramref name="frame"/>, or null when the file gives none.</summary>
    public FaceBox? Find(string video, int frame) => boxes.TryGetValue((video, frame), out var box) ? box : null;
}
