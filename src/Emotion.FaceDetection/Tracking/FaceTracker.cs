using Emotion.Core.Faces;


namespace Emotion.FaceDetection.Tracking;

/// <summary>
/// Follows faces across the frames of a video: gives each face a track id that stays the same from frame to frame,
/// smooths its box, and keeps a track alive through a few frames where the detector misses it.
/// </summary>
/// <remarks>
/// Per frame (<see cref="Update"/>): every live track predicts its box (last box moved by its velocity for each frame
/// since it was last seen); detections and tracks are matched greedily by descending intersection over union between
/// prediction and detection, pairs below <see cref="FaceTrackerOptions.MinIou"/> never matching; a matched track moves
/// to <c>predicted + a (detected - predicted)</c> (centre, width and height; <c>a</c> = smoothing factor) and updates
/// its velocity by <c>b (detected - predicted)</c>; an unmatched detection starts a new track; a track unmatched for
/// more than <see cref="FaceTrackerOptions.MaxMissedFrames"/> frames ends. Not thread-safe: one tracker per video.
/// </remarks>
public sealed class FaceTracker
{
    private readonly List<Track> tracks = [];
    private readonly List<int> ended = [];
    private readonly List<(float Iou, int Track, int Detection)> pairs = [];
    private int nextId = 1;

    /// <summary>Creates a tracker.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public FaceTracker(FaceTrackerOptions? options = null)
    {
        Options = (options ?? FaceTrackerOptions.Default).Validate();
    }

    /// <summary>The options.</summary>
    public FaceTrackerOptions Options { get; }

    /// <summary>The ids of the tracks that ended in the last <see cref="Update"/> (close their prediction streams).</summary>
    public IReadOnlyList<int> EndedTrackIds => ended;

    /// <summary>The ids of the live tracks, seen in the last frame or missing for at most MaxMissedFrames frames.</summary>
    public IReadOnlyList<int> LiveTrackIds
    {
        get
        {
            var ids = new int[tracks.Count];
            for (int i = 0; i < ids.Length; i++) ids[i] = tracks[i].Id;
            return ids;
        }
    }

    /// <summary>Takes the next frame's detections and returns the faces seen in it with their track ids, most confident first.</summary>
    /// <param name="detections">The frame's detections (for example <see cref="IFaceDetector.Detect"/>'s result); empty when none.</param>
    /// <returns>One entry per detection, with the smoothed box of its track.</returns>
    /// <exception cref="ArgumentException">A detection box is empty or not finite.</exception>
    public IReadOnlyList<TrackedFace> Update(IReadOnlyList<DetectedFace> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        for (int d = 0; d < detections.Count; d++)
        {
            var b = detections[d].Box;
            if (!(b.Width > 0 && b.Height > 0) || !float.IsFinite(b.X) || !float.IsFinite(b.Y) || !float.IsFinite(b.Width) || !float.IsFinite(b.Height))
                throw new ArgumentException($"Detection {d} has the box {b}; expected finite coordinates and a positive size.", nameof(detections));
        }
        ended.Clear();
        pairs.Clear();
        for (int t = 0; t < tracks.Count; t++)
        {
            var predicted = tracks[t].Predict();
            for (int d = 0; d < detections.Count; d++)
            {
                float iou = BoxOverlap.IntersectionOverUnion(predicted, detections[d].Box);
                if (iou >= Options.MinIou) pairs.Add((iou, t, d));
            }
        }
        pairs.Sort((a, b) =>
        {
            int c = b.Iou.CompareTo(a.Iou);
            if (c != 0) return c;
            c = a.Track.CompareTo(b.Track);
            return c != 0 ? c : a.Detection.CompareTo(b.Detection);
        });

        Span<int> trackOf = detections.Count <= 256 ? stackalloc int[detections.Count] : new int[detections.Count];
        trackOf.Fill(-1);
        Span<bool> trackMatched = tracks.Count <= 256 ? stackalloc bool[tracks.Count] : new bool[tracks.Count];
        trackMatched.Clear();
        foreach (var (_, t, d) in pairs)
        {
            if (trackMatched[t] || trackOf[d] >= 0) continue;
            trackMatched[t] = true;
            trackOf[d] = t;
        }

        var result = new List<TrackedFace>(detections.Count);
        for (int t = tracks.Count - 1; t >= 0; t--)
        {
            if (trackMatched[t]) continue;
            if (++tracks[t].Missed > Options.MaxMissedFrames)
            {
                ended.Add(tracks[t].Id);
                tracks.RemoveAt(t);
                // Indices above t shift down; fix the detection -> track map.
                for (int d = 0; d < trackOf.Length; d++)
                {
                    if (trackOf[d] > t) trackOf[d]--;
                }
            }
        }
        ended.Reverse();
        for (int d = 0; d < detections.Count; d++)
        {
            var detection = detections[d];
            Track track;
            if (trackOf[d] >= 0)
            {
                track = tracks[trackOf[d]];
                track.Correct(detection.Box, Options.SmoothingFactor, Options.VelocityFactor);
            }
            else
            {
                track = new Track(nextId++, detection.Box);
                tracks.Add(track);
            }
            result.Add(new TrackedFace(track.Id, track.Box, detection.Score));
        }
        result.Sort((a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            return c != 0 ? c : a.TrackId.CompareTo(b.TrackId);
        });
        return result;
    }

    /// <summary>Ends every track (for example at a scene cut); their ids are reported in <see cref="EndedTrackIds"/>.</summary>
    public void Reset()
    {
        ended.Clear();
        foreach (var t in tracks) ended.Add(t.Id);
        tracks.Clear();
    }

    private sealed class Track(int id, FaceBox box)
    {
        public int Id { get; } = id;
        public FaceBox Box { get; private set; } = box;
        public int Missed { get; set; }
        private float vx, vy;

        // Where the face is expected in the current frame: the last box moved by the velocity for each frame since.
        public FaceBox Predict()
        {
            int steps = Missed + 1;
            return Box with { X = Box.X + vx * steps, Y = Box.Y + vy * steps };
        }

        public void Correct(in FaceBox detected, float alpha, float beta)
        {
            var p = Predict();
            int steps = Missed + 1;
            float pcx = p.X + p.Width * 0.5f, pcy = p.Y + p.Height * 0.5f;
            float rx = detected.X + detected.Width * 0.5f - pcx, ry = detected.Y + detected.Height * 0.5f - pcy;
            float w = p.Width + alpha * (detected.Width - p.Width);
            float h = p.Height + alpha * (detected.Height - p.Height);
            float cx = pcx + alpha * rx, cy = pcy + alpha * ry;
            vx += beta * rx / steps;
            vy += beta * ry / steps;
            Box = new FaceBox(cx - w * 0.5f, cy - h * 0.5f, w, h);
            Missed = 0;
        }
    }
}
