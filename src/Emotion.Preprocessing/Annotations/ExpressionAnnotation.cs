using Emotion.Core;

namespace Emotion.Preprocessing.Annotations;

/// <summary>The expression labels of one video from an Aff-Wild2 EXPR_Set file: entry N-1 belongs to frame N.</summary>
public sealed class ExpressionAnnotation
{
    private readonly EmotionCategory?[] _labels;

    /// <summary>Wraps labels (index 0 = frame 1; null = unlabeled or masked).</summary>
    public ExpressionAnnotation(string file, EmotionCategory?[] labels)
    {
        File = file ?? throw new ArgumentNullException(nameof(file));
        _labels = labels ?? throw new ArgumentNullException(nameof(labels));
    }

    /// <summary>The file the labels were read from.</summary>
    public string File { get; }

    /// <summary>The number of annotated frames (label lines after the header).</summary>
    public int FrameCount => _labels.Length;

    /// <summary>The labels, index 0 = frame 1.</summary>
    public IReadOnlyList<EmotionCategory?> Labels => _labels;

    /// <summary>The label of a 1-based frame number.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame number is beyond the file.</exception>
    public EmotionCategory? this[int frameNumber] =>
        frameNumber >= 1 && frameNumber <= _labels.Length
            ? _labels[frameNumber - 1]
            : throw new ArgumentOutOfRangeException(nameof(frameNumber), frameNumber, $"'{File}' annotates frames 1 to {_labels.Length}.");
}
