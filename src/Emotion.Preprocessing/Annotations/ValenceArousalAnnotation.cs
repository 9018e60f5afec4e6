namespace Emotion.Preprocessing.Annotations;

/// <summary>The valence/arousal labels of one video from an Aff-Wild2 VA_Set file: entry N-1 belongs to frame N.</summary>
public sealed class ValenceArousalAnnotation
{
    private readonly float?[] _valence;
    private readonly float?[] _arousal;

    /// <summary>Wraps labels (index 0 = frame 1; null = unlabeled).</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public ValenceArousalAnnotation(string file, float?[] valence, float?[] arousal)
    {
        File = file ?? throw new ArgumentNullException(nameof(file));
        _valence = valence ?? throw new ArgumentNullException(nameof(valence));
        _arousal = arousal ?? throw new ArgumentNullException(nameof(arousal));
        if (valence.Length != arousal.Length) throw new ArgumentException("Valence and arousal must have the same length.", nameof(arousal));
    }

    /// <summary>The file the labels were read from.</summary>
    public string File { get; }

    /// <summary>The number of annotated frames (label lines after the header).</summary>
    public int FrameCount => _valence.Length;

    /// <summary>Valence per frame, index 0 = frame 1.</summary>
    public IReadOnlyList<float?> Valence => _valence;

    /// <summary>Arousal per frame, index 0 = frame 1.</summary>
    public IReadOnlyList<float?> Arousal => _arousal;

    /// <summary>Valence and arousal of a 1-based frame number.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame number is beyond the file.</exception>
    public (float? Valence, float? Arousal) this[int frameNumber] =>
        frameNumber >= 1 && frameNumber <= _valence.Length
            ? (_valence[frameNumber - 1], _arousal[frameNumber - 1])
            : throw new ArgumentOutOfRangeException(nameof(frameNumber), frameNumber, $"'{File}' annotates frames 1 to {_valence.Length}.");
}
