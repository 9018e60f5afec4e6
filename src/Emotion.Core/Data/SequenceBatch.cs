namespace Emotion.Core.Data;

/// <summary>
/// A batch of frame sequences ready for a model, in flat row-major buffers: frames are <c>[B, T, 3, H, W]</c> floats
/// (already normalised), labels and masks are <c>[B, T]</c>. Padding frames at the end of a short sequence have
/// <see cref="FrameMask"/> false, category -1 and both VA masks false.
/// </summary>
/// <remarks>Produced by the data loaders in Emotion.Preprocessing and consumed by the trainers and predictors; it holds no
/// framework tensors so that every backend can read it.</remarks>
public sealed class SequenceBatch
{
    /// <summary>Number of colour channels (RGB).</summary>
    public const int Channels = 3;

    /// <summary>Allocates an empty batch (all frames zero, all labels missing, all frames padding).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public SequenceBatch(int batchSize, int sequenceLength, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        Height = height;
        Width = width;
        int n = batchSize * sequenceLength;
        Frames = new float[(long)n * FrameLength];
        FrameMask = new bool[n];
        Categories = new int[n];
        Array.Fill(Categories, -1);
        Valence = new float[n];
        Arousal = new float[n];
        ValenceMask = new bool[n];
        ArousalMask = new bool[n];
        FrameNumbers = new int[n];
        Array.Fill(FrameNumbers, -1);
        VideoIds = new string[batchSize];
        Array.Fill(VideoIds, string.Empty);
        ContinuesState = new bool[batchSize];
    }

    /// <summary>Number of sequences (B).</summary>
    public int BatchSize { get; }

    /// <summary>Frames per sequence (T).</summary>
    public int SequenceLength { get; }

    /// <summary>Frame height in pixels (H).</summary>
    public int Height { get; }

    /// <summary>Frame width in pixels (W).</summary>
    public int Width { get; }

    /// <summary>Floats in one frame: 3 x H x W.</summary>
    public int FrameLength => Channels * Height * Width;

    /// <summary>Normalised pixels, <c>[B, T, 3, H, W]</c>.</summary>
    public float[] Frames { get; }

    /// <summary><c>[B, T]</c>: true for a real frame, false for padding.</summary>
    public bool[] FrameMask { get; }

    /// <summary><c>[B, T]</c>: the category index, or -1 where unlabeled or padding.</summary>
    public int[] Categories { get; }

    /// <summary><c>[B, T]</c>: valence, meaningful where <see cref="ValenceMask"/> is true.</summary>
    public float[] Valence { get; }

    /// <summary><c>[B, T]</c>: arousal, meaningful where <see cref="ArousalMask"/> is true.</summary>
    public float[] Arousal { get; }

    /// <summary><c>[B, T]</c>: true where valence is labeled.</summary>
    public bool[] ValenceMask { get; }

    /// <summary><c>[B, T]</c>: true where arousal is labeled.</summary>
    public bool[] ArousalMask { get; }

    /// <summary><c>[B, T]</c>: each frame's number in its video, or -1 for padding.</summary>
    public int[] FrameNumbers { get; }

    /// <summary><c>[B]</c>: the video each sequence comes from.</summary>
    public string[] VideoIds { get; }

    /// <summary>
    /// <c>[B]</c>: true when sequence b continues, without a gap or overlap, the sequence in row b of the previous batch
    /// of the same epoch, so that a stateful trainer may start row b from the recurrent state that row ended with
    /// (truncated back-propagation through time; lane batching, see <c>SequenceLoaderOptions.Stateful</c>). False
    /// starts the row from a zero state. All false in ordinary (shuffled) batches.
    /// </summary>
    public bool[] ContinuesState { get; }

    /// <summary>The pixels of frame <paramref name="t"/> of sequence <paramref name="b"/>, <c>[3, H, W]</c>.</summary>
    public Span<float> Frame(int b, int t) => Frames.AsSpan(Index(b, t) * FrameLength, FrameLength);

    /// <summary>The flat index of frame (b, t) in the <c>[B, T]</c> arrays.</summary>
    /// <exception cref="ArgumentOutOfRangeException">b or t is out of range.</exception>
    public int Index(int b, int t)
    {
        if ((uint)b >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(b), b, $"Expected a sequence index in [0, {BatchSize - 1}].");
        if ((uint)t >= (uint)SequenceLength) throw new ArgumentOutOfRangeException(nameof(t), t, $"Expected a frame index in [0, {SequenceLength - 1}].");
        return b * SequenceLength + t;
    }

    /// <summary>Writes the label of frame (b, t) into the label arrays (masks follow what is present).</summary>
    public void SetLabel(int b, int t, FrameLabel label)
    {
        int i = Index(b, t);
        Categories[i] = label.Category is { } c ? (int)c : -1;
        ValenceMask[i] = label.Valence.HasValue;
        Valence[i] = label.Valence ?? 0f;
        ArousalMask[i] = label.Arousal.HasValue;
        Arousal[i] = label.Arousal ?? 0f;
    }

    /// <summary>Reads back the label of frame (b, t).</summary>
    public FrameLabel GetLabel(int b, int t)
    {
        int i = Index(b, t);
        return new FrameLabel(
            Categories[i] >= 0 ? (EmotionCategory)Categories[i] : null,
            ValenceMask[i] ? Valence[i] : null,
            ArousalMask[i] ? Arousal[i] : null);
    }
}
