using Emotion.FaceDetection;
using Emotion.FaceDetection.Tracking;
using Emotion.Preprocessing.Annotations;

namespace Emotion.Onnx.Video;

/// <summary>
/// Where <see cref="VideoEmotionPredictor"/> looks for faces in each frame. With neither <see cref="FaceBoxes"/> nor
/// <see cref="Detector"/> the frames are taken to be face crops already (as in Aff-Wild2's cropped frames); otherwise each
/// face is cropped out (box grown by <see cref="Margin"/>) and resized to the model's input.
/// </summary>
public sealed record VideoPredictionOptions
{
    /// <summary>Whole frames, no face finding: the input already holds face crops.</summary>
    public static VideoPredictionOptions Default { get; } = new();

    /// <summary>Face boxes per (video, frame), e.g. from <see cref="FaceBoxCsv"/>; frames without a box are skipped.</summary>
    public FaceBoxTable? FaceBoxes { get; init; }

    /// <summary>A face detector run on every frame (not owned: the caller disposes it); its faces are followed by a <see cref="FaceTracker"/>.</summary>
    public IFaceDetector? Detector { get; init; }

    /// <summary>With a detector: one prediction stream per face track (video ids get a <c>_face{id}</c> suffix) instead of following one face.</summary>
    public bool AllFaces { get; init; }

    /// <summary>Which face to follow when <see cref="AllFaces"/> is off and the followed face is lost.</summary>
    public FaceSelection Selection { get; init; } = FaceSelection.Largest;

    /// <summary>
    /// The fraction of a box's width/height added on every side before cropping; null for the default: 0.2 with a
    /// detector (its boxes are tight around the eyes and mouth), 0 with face boxes (taken as they are).
    /// </summary>
    public float? Margin { get; init; }

    /// <summary>The tracker's settings; null for <see cref="FaceTrackerOptions.Default"/>.</summary>
    public FaceTrackerOptions? Tracking { get; init; }

    /// <summary>With a detector: restart tracks at hard cuts between shots (<see cref="ShotChangeDetector"/>), so two people on either side of a cut never share a stream (in one-face mode the rows keep the video id and the recurrent state restarts).</summary>
    public bool ResetTracksAtCuts { get; init; } = true;

    /// <summary>
    /// Whether the faces of a frame share ONNX Runtime calls (default on): the tracks' full chunks run in one call, each
    /// track keeping its own recurrent state (<see cref="EmotionStreamGroup"/>); the outputs are those of separate streams. A
    /// shared call holds at most <see cref="EmotionPredictorOptions.MaxFramesPerSharedRun"/> frames (12 by default, so the
    /// default chunks of 16 frames run one per face). Off runs one call per face and chunk (the baseline).
    /// </summary>
    public bool BatchFaces { get; init; } = true;

    /// <summary>The default margin around detected faces.</summary>
    public const float DefaultDetectorMargin = 0.2f;

    /// <summary>The margin in effect.</summary>
    public float EffectiveMargin => Margin ?? (Detector is not null ? DefaultDetectorMargin : 0f);

    /// <summary>Checks the options and returns them.</summary>
    /// <exception cref="ArgumentException">Boxes and a detector are both set, <see cref="AllFaces"/> is set without a detector, the margin is outside [0, 2], or the tracker's settings are invalid; <see cref="ArgumentException.ParamName"/> names the property.</exception>
    public VideoPredictionOptions Validate() => Validate(faceBoxesPending: false, detectorPending: false);

    /// <summary>
    /// Checks the options as they will be once the face boxes are read or the detector is opened: the one home of these
    /// rules for callers that check settings first (Emotion.Extensions.DependencyInjection's options validation, the CLI's
    /// usage checks). With <paramref name="detectorPending"/> the options are checked, and the default margin taken, as
    /// if <see cref="Detector"/> were set; with <paramref name="faceBoxesPending"/>, as if <see cref="FaceBoxes"/> were.
    /// </summary>
    /// <param name="faceBoxesPending">A face box table will be set.</param>
    /// <param name="detectorPending">A detector will be set.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException">As <see cref="Validate()"/>; <see cref="ArgumentException.ParamName"/> is
    /// <c>FaceBoxes</c>, <c>AllFaces</c>, <c>Margin</c> or <c>Tracking</c>.</exception>
    public VideoPredictionOptions Validate(bool faceBoxesPending, bool detectorPending)
    {
        bool boxes = faceBoxesPending || FaceBoxes is not null;
        bool detector = detectorPending || Detector is not null;
        if (boxes && detector)
            throw new ArgumentException("Give face boxes or a face detector, not both.", nameof(FaceBoxes));
        if (AllFaces && !detector)
            throw new ArgumentException("AllFaces needs a Detector (a face box table gives one face per frame).", nameof(AllFaces));
        float margin = Margin ?? (detector ? DefaultDetectorMargin : 0f);
        if (!(margin is >= 0f and <= 2f))
            throw new ArgumentException($"Margin must be between 0 and 2; got {margin.ToString(System.Globalization.CultureInfo.InvariantCulture)}.", nameof(Margin));
        try
        {
            Tracking?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Invalid face tracker settings: {e.Message}", nameof(Tracking), e);
        }
        return this;
    }
}
