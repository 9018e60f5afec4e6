namespace Emotion.FaceDetection.Tracking;

/// <summary>Which face to keep when only one is wanted.</summary>
public enum FaceSelection
{
    /// <summary>The face with the largest box area (the person nearest the camera; the default).</summary>
    Largest,

    /// <summary>The face with the highest detector score.</summary>
    MostConfident,
}
