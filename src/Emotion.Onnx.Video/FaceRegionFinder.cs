using Emotion.Core.Faces;

using Emotion.FaceDetection;
using Emotion.FaceDetection.Tracking;

namespace Emotion.Onnx.Video;

/// <summary>
/// Finds the faces to predict in each frame of one video, as <see cref="VideoPredictionOptions"/> say: none (the frames
/// are face crops already), the video's boxes in a face box table, or the faces a detector finds, followed by a
/// <see cref="FaceTracker"/> (reset at shot cuts): every track, or one face (the one followed so far, else the
/// <see cref="VideoPredictionOptions.Selection"/>). Boxes are grown by the margin on every side. One instance per video;
/// not thread-safe.
/// </summary>
public sealed class FaceRegionFinder
{
    private readonly VideoPredictionOptions options;
    private readonly string videoId;
    private readonly FaceTracker? tracker;
    private readonly ShotChangeDetector? cuts;
    private readonly float margin;
    private readonly List<FaceRegion> regions = [];
    private readonly List<int> ended = [];
    private int? followed;

    /// <summary>Creates the finder for the video <paramref name="videoId"/>.</summary>
    /// <param name="options">Where faces come from.</param>
    /// <param name="videoId">The id looked up in <see cref="VideoPredictionOptions.FaceBoxes"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid, or the face box table has no boxes for the video.</exception>
    public FaceRegionFinder(VideoPredictionOptions options, string videoId)
    {
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        this.videoId = videoId ?? throw new ArgumentNullException(nameof(videoId));
        margin = options.EffectiveMargin;
        if (options.FaceBoxes is { } table && !table.HasVideo(videoId))
            throw new ArgumentException(
                $"The face box table has no boxes for video '{videoId}'; it has boxes for {string.Join(", ", table.Videos.Take(10).Select(v => $"'{v}'"))}.",
                nameof(videoId));
        if (options.Detector is not null)
        {
            tracker = new FaceTracker(options.Tracking);
            if (options.ResetTracksAtCuts) cuts = new ShotChangeDetector();
        }
    }

    /// <summary>Whether several faces per frame can come out (one prediction stream per track).</summary>
    public bool MultipleFaces => options.AllFaces;

    /// <summary>
    /// The tracks that ended at the last <see cref="Find"/>: their streams can be completed before the frame's regions are
    /// predicted. In one-face mode the one stream (track 0) ends at every shot cut (<see cref="VideoPredictionOptions.ResetTracksAtCuts"/>).
    /// </summary>
    public IReadOnlyList<int> EndedTrackIds => ended;

    /// <summary>The regions to predict in <paramref name="frame"/>; empty when it has no face. Valid until the next call.</summary>
    public IReadOnlyList<FaceRegion> Find(PredictionFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        regions.Clear();
        ended.Clear();
        if (options.FaceBoxes is { } table)
        {
            if (table.Find(videoId, frame.Number) is { } box) regions.Add(new FaceRegion(0, Grow(box), box));
        }
        else if (options.Detector is { } detector)
        {
            if (cuts is not null && cuts.IsCut(frame.Image))
            {
                // Every live track ends at a cut; the next detections start new ones. With one face, its stream (track 0)
                // ends too, so that the recurrent state of the person before the cut is not carried into the next shot.
                if (options.AllFaces) ended.AddRange(tracker!.LiveTrackIds);
                else ended.Add(0);
                tracker!.Reset();
                followed = null;
            }
            var faces = tracker!.Update(detector.Detect(frame.Image));
            if (options.AllFaces)
            {
                ended.AddRange(tracker.EndedTrackIds);
                foreach (var face in faces) regions.Add(new FaceRegion(face.TrackId, Grow(face.Box), face.Box));
            }
            else if (faces.Count > 0)
            {
                TrackedFace? chosen = null;
                foreach (var face in faces)
                    if (face.TrackId == followed) chosen = face;
                chosen ??= FaceSelector.Select(faces, options.Selection);
                // Another person from here on: end the stream so the previous face's recurrent state is not carried over.
                if (followed is { } previous && previous != chosen!.TrackId) ended.Add(0);
                followed = chosen!.TrackId;
                regions.Add(new FaceRegion(0, Grow(chosen.Box), chosen.Box));
            }
        }
        else
        {
            regions.Add(new FaceRegion(0, null));
        }
        return regions;
    }

    /// <summary>The box grown by the margin times its width/height on every side.</summary>
    public FaceBox Grow(FaceBox box) => box.Expand(margin);
}
