namespace Emotion.Torch.Interpretability;

/// <summary>
/// Explanation maps as plain arrays (no tensors, nothing to dispose), ready for Emotion.Visualization's
/// <c>HeatmapOverlay.Render(frame, result.Map(b, t), result.Height, result.Width)</c> or <c>SequenceStrip.Render(frames, result.SequenceMaps(b), ...)</c>.
/// </summary>
public sealed class ExplanationResult
{
    private readonly float[] _maps;
    private readonly float[] _scores;

    /// <summary>Creates a result; <paramref name="maps"/> is <c>[B, T, H, W]</c> and <paramref name="scores"/> <c>[B, scoreFrames]</c>.</summary>
    /// <exception cref="ArgumentException">An array's length does not match the sizes.</exception>
    public ExplanationResult(float[] maps, int batchSize, int frameCount, int height, int width, float[] scores, int scoreFrames,
        string method, string? layer, string target, SequenceTargetMode sequenceMode, bool normalized)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(scores);
        if (maps.Length != (long)batchSize * frameCount * height * width)
            throw new ArgumentException($"Maps hold {maps.Length} values; expected {batchSize} x {frameCount} x {height} x {width}.", nameof(maps));
        if (scores.Length != (long)batchSize * scoreFrames)
            throw new ArgumentException($"Scores hold {scores.Length} values; expected {batchSize} x {scoreFrames}.", nameof(scores));
        _maps = maps;
        _scores = scores;
        BatchSize = batchSize;
        FrameCount = frameCount;
        Height = height;
        Width = width;
        ScoreFrames = scoreFrames;
        Method = method;
        Layer = layer;
        Target = target;
        SequenceMode = sequenceMode;
        Normalized = normalized;
    }

    /// <summary>Number of sequences B.</summary>
    public int BatchSize { get; }

    /// <summary>Number of frames per sequence T (one map each).</summary>
    public int FrameCount { get; }

    /// <summary>Map height (the input frame's height).</summary>
    public int Height { get; }

    /// <summary>Map width (the input frame's width).</summary>
    public int Width { get; }

    /// <summary>Output frames per sequence whose target value is in <see cref="Score"/> (T for per-frame models, 1 for sequence-to-one).</summary>
    public int ScoreFrames { get; }

    /// <summary>The method's name.</summary>
    public string Method { get; }

    /// <summary>The layer explained, or null for input methods.</summary>
    public string? Layer { get; }

    /// <summary>The target's name.</summary>
    public string Target { get; }

    /// <summary>Which outputs the maps explain.</summary>
    public SequenceTargetMode SequenceMode { get; }

    /// <summary>Whether the maps were normalised to [0, 1] per frame.</summary>
    public bool Normalized { get; }

    /// <summary>All maps, <c>[B, T, H, W]</c> row-major.</summary>
    public ReadOnlySpan<float> Maps => _maps;

    /// <summary>The map of frame <paramref name="frame"/> of sequence <paramref name="batch"/>, <c>[H, W]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public ReadOnlySpan<float> Map(int batch, int frame)
    {
        Check(batch, BatchSize, nameof(batch));
        Check(frame, FrameCount, nameof(frame));
        int size = Height * Width;
        return _maps.AsSpan((batch * FrameCount + frame) * size, size);
    }

    /// <summary>The maps of every frame of sequence <paramref name="batch"/>, <c>[T, H, W]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public ReadOnlySpan<float> SequenceMaps(int batch)
    {
        Check(batch, BatchSize, nameof(batch));
        int size = FrameCount * Height * Width;
        return _maps.AsSpan(batch * size, size);
    }

    /// <summary>The target's value at output frame <paramref name="frame"/> of sequence <paramref name="batch"/> (from the explained forward pass).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public float Score(int batch, int frame)
    {
        Check(batch, BatchSize, nameof(batch));
        Check(frame, ScoreFrames, nameof(frame));
        return _scores[batch * ScoreFrames + frame];
    }

    private static void Check(int index, int count, string name)
    {
        if ((uint)index >= (uint)count) throw new ArgumentOutOfRangeException(name, index, $"Expected {name} in [0, {count - 1}].");
    }
}
