namespace Emotion.Preprocessing.Transforms;

/// <summary>Where the output window is taken from the resized frame.</summary>
public enum CropMode
{
    /// <summary>The centre (offsets rounded down); used for evaluation.</summary>
    Center,
    /// <summary>A position drawn uniformly per frame from the frame's seeded random state (training augmentation).</summary>
    Random,
}
