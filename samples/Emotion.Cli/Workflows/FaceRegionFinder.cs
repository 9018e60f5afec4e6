using Emotion.FaceDetection;
using Emotion.FaceDetection.Tracking;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Transforms;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Finds the faces to predict in each frame: none (the frames are face crops already), the box of a face box file, or
/// the faces a detector finds, followed by a <see cref="FaceTracker"/>: every track (<c>--all-faces</c>) or one face
/// (the largest when the followed face is lost). Boxes are grown by a margin on every side. Not thread-safe.
/// </summary>
public sealed class FaceRegionFinder : IDisposable
{
    private readonly FaceBoxTable? table;
    private readonly string videoId;
    private readonly IFaceDetector? detector;
    private readonly FaceTracker? tracker;
    private readonly bool allFaces;
    private readonly float margin;
    private readonly List<FaceRegion> regions = [];
    private int? followed;

    private FaceRegionFinder(string videoId, FaceBoxTable? table, IFaceDetector? detector, bool allFaces, float margin)
    {
        this.videoId = videoId;
        this.table = table;
        this.detector = detector;
        this.allFaces = allFaces;
        this.margin = margin;
        if (detector is not null) tracker = new FaceTracker();
    }

    /// <summary>Whole frames: the input already holds face crops.</summary>
    public static FaceRegionFinder WholeFrames() => new("", null, null, false, 0f);

    /// <summary>The boxes of <paramref name="videoId"/> in a face box file; frames without a row are skipped.</summary>
    /// <exception cref="CommandFailedException">The file has no row for the video.</exception>
    public static FaceRegionFinder FromTable(FaceBoxTable table, string path, string videoId, float margin)
    {
        if (!table.HasVideo(videoId))
            throw new CommandFailedException(
                $"--faces: '{path}' has no boxes for video '{videoId}' (the input's name without extension); it has boxes for {string.Join(", ", table.Videos.Take(10).Select(v => $"'{v}'"))}.");
        return new FaceRegionFinder(videoId, table, null, false, margin);
    }

    /// <summary>The faces <paramref name="detector"/> finds (owned: disposed with the finder), tracked across frames.</summary>
    public static FaceRegionFinder FromDetector(IFaceDetector detector, bool allFaces, float margin) => new("", null, detector, allFaces, margin);

    /// <summary>Whether several faces per frame can come out (one prediction stream per track).</summary>
    public bool MultipleFaces => allFaces;

    /// <summary>The tracks that ended at the last <see cref="Find"/> (their streams can be completed).</summary>
    public IReadOnlyList<int> EndedTrackIds => allFaces && tracker is not null ? tracker.EndedTrackIds : [];

    /// <summary>The regions to predict in <paramref name="frame"/>; empty when it has no face. Valid until the next call.</summary>
    public IReadOnlyList<FaceRegion> Find(InputFrame frame)
    {
        regions.Clear();
        if (table is not null)
        {
            if (table.Find(videoId, frame.Number) is { } box) regions.Add(new FaceRegion(0, Grow(box)));
        }
        else if (detector is not null)
        {
            var faces = tracker!.Update(detector.Detect(frame.Image));
            if (allFaces)
            {
                foreach (var face in faces) regions.Add(new FaceRegion(face.TrackId, Grow(face.Box)));
            }
            else if (faces.Count > 0)
            {
                TrackedFace? chosen = null;
                foreach (var face in faces)
                    if (face.TrackId == followed) chosen = face;
                chosen ??= FaceSelector.Select(faces, FaceSelection.Largest);
                followed = chosen!.TrackId;
                regions.Add(new FaceRegion(0, Grow(chosen.Box)));
            }
        }
        else
        {
            regions.Add(new FaceRegion(0, null));
        }
        return regions;
    }

    /// <summary>The box grown by the margin times its width/height on every side.</summary>
    public FaceBox Grow(FaceBox box) =>
        new(box.X - margin * box.Width, box.Y - margin * box.Height, box.Width * (1 + 2 * margin), box.Height * (1 + 2 * margin));

    /// <inheritdoc />
    public void Dispose() => detector?.Dispose();
}
