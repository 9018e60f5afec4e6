using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Core.Data;
using Emotion.Core.Metrics;

namespace Emotion.Torch.Evaluation;

/// <summary>
/// Gathers per-frame outputs of windows and merges the predictions of frames seen in several windows
/// (<see cref="OverlapPolicy"/>), keyed by (video id, frame number); a real frame without a frame number (-1) is never merged.
/// </summary>
internal sealed class FrameCollector
{
    private readonly Dictionary<(string Video, int Frame, long Unique), Slot> _slots = [];
    private readonly OverlapPolicy _policy;
    private readonly int _classes;
    private long _unique;

    public FrameCollector(OverlapPolicy policy, int classes)
    {
        _policy = policy;
        _classes = classes;
    }

    /// <summary>Values per probability row (the model's categories, or 7 for a valence/arousal-only model).</summary>
    public int Classes => _classes;

    /// <summary>Sequences added.</summary>
    public long Sequences { get; private set; }

    /// <summary>Distinct frames collected.</summary>
    public int Count => _slots.Count;

    /// <summary>How the context of a position in a window is measured.</summary>
    public enum ContextMode { None, Forward, Bidirectional }

    /// <summary>
    /// Adds a batch's outputs: <paramref name="probabilities"/> <c>[B, S, K]</c> and <paramref name="valenceArousal"/>
    /// <c>[B, S, 2]</c> (either may be null), with S = T (per frame) or 1 (the last real frame of each sequence).
    /// </summary>
    public void Add(SequenceBatch batch, int steps, float[]? probabilities, float[]? valenceArousal, ContextMode mode)
    {
        int t = batch.SequenceLength;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            int first = -1, last = -1;
            for (int f = 0; f < t; f++)
            {
                if (!batch.FrameMask[b * t + f]) continue;
                if (first < 0) first = f;
                last = f;
            }
            if (first < 0) continue;
            Sequences++;
            if (steps == 1)
            {
                Put(batch, b, last, last - first, probabilities, valenceArousal, b);
                continue;
            }
            for (int f = first; f <= last; f++)
            {
                if (!batch.FrameMask[b * t + f]) continue;
                int context = mode switch
                {
                    ContextMode.Forward => f - first,
                    ContextMode.Bidirectional => Math.Min(f - first, last - f),
                    _ => 0,
                };
                Put(batch, b, f, context, probabilities, valenceArousal, b * t + f);
            }
        }
    }

    /// <summary>
    /// Adds the one prediction of a streamed frame (streaming evaluation predicts every frame once): frame
    /// <paramref name="f"/> of sequence <paramref name="b"/> of <paramref name="batch"/>, keyed by (<paramref name="video"/>,
    /// its number), or by a key of its own when <paramref name="video"/> is null (a row evaluated on its own).
    /// </summary>
    /// <exception cref="InvalidOperationException">The frame was added before.</exception>
    public void AddFrame(string? video, SequenceBatch batch, int b, int f, ReadOnlySpan<float> probabilities, float valence, float arousal)
    {
        int frame = batch.FrameNumbers[batch.Index(b, f)];
        var key = video is null ? (batch.VideoIds[b] ?? string.Empty, frame, ++_unique) : (video, frame, 0L);
        if (!_slots.TryAdd(key, new Slot(probabilities.IsEmpty ? null : probabilities.ToArray(), valence, arousal, 0, batch.GetLabel(b, f))))
            throw new InvalidOperationException($"Frame {frame} of video '{key.Item1}' was predicted twice in a stream.");
    }

    private void Put(SequenceBatch batch, int b, int f, int context, float[]? probabilities, float[]? valenceArousal, int row)
    {
        int i = batch.Index(b, f);
        int frame = batch.FrameNumbers[i];
        var key = (batch.VideoIds[b] ?? string.Empty, frame, frame >= 0 ? 0 : ++_unique);
        ReadOnlySpan<float> p = probabilities is null ? default : probabilities.AsSpan(row * _classes, _classes);
        float v = valenceArousal?[2 * row] ?? 0, a = valenceArousal?[2 * row + 1] ?? 0;
        if (!_slots.TryGetValue(key, out var slot))
        {
            _slots[key] = new Slot(p.IsEmpty ? null : p.ToArray(), v, a, context, batch.GetLabel(b, f));
            return;
        }
        if (_policy == OverlapPolicy.Average)
        {
            if (slot.Probabilities is not null) for (int c = 0; c < p.Length; c++) slot.Probabilities[c] += p[c];
            slot.Valence += v;
            slot.Arousal += a;
            slot.Count++;
        }
        else if (context > slot.Context)
        {
            p.CopyTo(slot.Probabilities);
            slot.Valence = v;
            slot.Arousal = a;
            slot.Context = context;
        }
    }

    /// <summary>Scores every distinct frame into <paramref name="metrics"/> and returns the predictions (sorted) when asked.</summary>
    public ImmutableArray<PredictedFrame> Finish(EmotionMetricsAccumulator metrics, bool hasCategories, bool hasValenceArousal, bool collect)
    {
        var result = collect ? ImmutableArray.CreateBuilder<PredictedFrame>(_slots.Count) : null;
        IEnumerable<KeyValuePair<(string Video, int Frame, long Unique), Slot>> slots = _slots;
        if (collect)
            slots = _slots.OrderBy(s => s.Key.Video, StringComparer.Ordinal).ThenBy(s => s.Key.Frame).ThenBy(s => s.Key.Unique);
        foreach (var (key, slot) in slots)
        {
            float scale = 1f / slot.Count;
            ImmutableArray<float> probabilities = [];
            if (hasCategories && slot.Probabilities is not null)
            {
                var p = slot.Probabilities;
                if (slot.Count > 1) for (int c = 0; c < p.Length; c++) p[c] *= scale;
                probabilities = ImmutableArray.Create(p);
            }
            var prediction = new FramePrediction(key.Frame, probabilities,
                hasValenceArousal ? slot.Valence * scale : null, hasValenceArousal ? slot.Arousal * scale : null);
            metrics.Add(prediction, slot.Label);
            result?.Add(new PredictedFrame(key.Video, prediction, slot.Label));
        }
        return result?.MoveToImmutable() ?? [];
    }

    private sealed class Slot(float[]? probabilities, float valence, float arousal, int context, FrameLabel label)
    {
        public float[]? Probabilities { get; } = probabilities;
        public float Valence { get; set; } = valence;
        public float Arousal { get; set; } = arousal;
        public int Context { get; set; } = context;
        public int Count { get; set; } = 1;
        public FrameLabel Label { get; } = label;
    }
}
