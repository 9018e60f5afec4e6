using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emotion.Core;

namespace Emotion.Onnx.Smoothing;

/// <summary>
/// Temporal smoothing of per-frame predictions (category probabilities, valence and arousal) with a moving average,
/// an exponential filter or a median, causal (live) or centred (offline). Smoothing per-frame outputs is reported to add
/// up to 7% F1 (expressions) and 1.25x CCC (valence/arousal) on Aff-Wild2 (Savchenko, ABAW 2024).
/// </summary>
/// <remarks>
/// The smoother is push-based and keeps only the last <see cref="PredictionSmootherOptions.Window"/> frames, so it runs
/// on streams of any length: <see cref="Push"/> one prediction at a time and <see cref="Complete"/> at the end, or use
/// <see cref="Smooth(IEnumerable{FramePrediction})"/> / <see cref="SmoothAsync"/>. In centred mode a frame is emitted once
/// the h frames after it have arrived (and the last h at <see cref="Complete"/>); causal mode emits every frame at once.
/// Frames without valence (or categories) are skipped when averaging that part. Frame numbers are kept.
/// An instance holds the state of one stream and is not thread-safe.
/// </remarks>
public sealed class PredictionSmoother
{
    private readonly List<FramePrediction> history = [];
    private readonly int half;
    private long pushed;
    private long emitted;
    private float[]? emaProbabilities;
    private float? emaValence;
    private float? emaArousal;
    private float[] scratch = new float[8];

    /// <summary>Creates a smoother.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="PredictionSmootherOptions.Validate"/>).</exception>
    public PredictionSmoother(PredictionSmootherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        half = options.Mode == SmoothingMode.Centered ? (options.Window - 1) / 2 : 0;
    }

    /// <summary>The settings.</summary>
    public PredictionSmootherOptions Options { get; }

    /// <summary>How many frames an output lags behind the input in a stream (h for centred, 0 for causal).</summary>
    public int Delay => half;

    /// <summary>Smooths a whole sequence (one video, in frame order) with the given options.</summary>
    public static IReadOnlyList<FramePrediction> Smooth(IReadOnlyList<FramePrediction> predictions, PredictionSmootherOptions options)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var smoother = new PredictionSmoother(options);
        var result = new List<FramePrediction>(predictions.Count);
        result.AddRange(smoother.Smooth((IEnumerable<FramePrediction>)predictions));
        return result;
    }

    /// <summary>Adds the next frame's prediction; returns the smoothed prediction that became ready (null while a centred window fills).</summary>
    /// <exception cref="ArgumentException">The prediction's category count differs from earlier frames'.</exception>
    public FramePrediction? Push(FramePrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (history.Count > 0 && history[^1].Probabilities.Length != prediction.Probabilities.Length)
            throw new ArgumentException(
                $"Frame {prediction.FrameNumber} has {prediction.Probabilities.Length} category probabilities; earlier frames had {history[^1].Probabilities.Length}.",
                nameof(prediction));
        history.Add(prediction);
        pushed++;
        if (history.Count > Options.Window) history.RemoveAt(0);

        if (Options.Method == SmoothingMethod.Exponential) return EmitExponential(prediction);
        if (pushed - 1 - emitted < half) return null;
        return Emit(emitted, last: pushed - 1);
    }

    /// <summary>Ends the stream: returns the frames still held back (centred mode) and resets the smoother.</summary>
    public IReadOnlyList<FramePrediction> Complete()
    {
        var rest = new List<FramePrediction>(half);
        while (emitted < pushed) rest.Add(Emit(emitted, last: pushed - 1));
        Reset();
        return rest;
    }

    /// <summary>Forgets every frame (starts a new stream).</summary>
    public void Reset()
    {
        history.Clear();
        pushed = 0;
        emitted = 0;
        emaProbabilities = null;
        emaValence = null;
        emaArousal = null;
    }

    /// <summary>Smooths a stream lazily (one video, in frame order); resets the smoother at the end.</summary>
    public IEnumerable<FramePrediction> Smooth(IEnumerable<FramePrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        return Iterate(predictions);

        IEnumerable<FramePrediction> Iterate(IEnumerable<FramePrediction> source)
        {
            Reset();
            foreach (var p in source)
                if (Push(p) is { } ready) yield return ready;
            foreach (var p in Complete()) yield return p;
        }
    }

    /// <summary>Smooths an asynchronous stream (one video, in frame order); resets the smoother at the end.</summary>
    public async IAsyncEnumerable<FramePrediction> SmoothAsync(IAsyncEnumerable<FramePrediction> predictions,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        Reset();
        await foreach (var p in predictions.WithCancellation(cancellationToken).ConfigureAwait(false))
            if (Push(p) is { } ready) yield return ready;
        foreach (var p in Complete()) yield return p;
    }

    private FramePrediction EmitExponential(FramePrediction x)
    {
        float alpha = Options.EffectiveAlpha;
        ImmutableArray<float> probabilities = x.Probabilities;
        if (!x.Probabilities.IsDefaultOrEmpty)
        {
            var source = x.Probabilities.AsSpan();
            if (emaProbabilities is null) emaProbabilities = source.ToArray();
            else
                for (int k = 0; k < source.Length; k++)
                    emaProbabilities[k] = alpha * source[k] + (1f - alpha) * emaProbabilities[k];
            probabilities = ImmutableArray.Create(emaProbabilities);
        }
        float? valence = x.Valence is { } v ? emaValence = emaValence is { } ev ? alpha * v + (1f - alpha) * ev : v : null;
        float? arousal = x.Arousal is { } a ? emaArousal = emaArousal is { } ea ? alpha * a + (1f - alpha) * ea : a : null;
        emitted++;
        return x with { Probabilities = probabilities, Valence = valence, Arousal = arousal };
    }

    // Emits frame t (absolute index) using the window [t - w + 1, t] (causal) or [t - h, t + h] (centred), truncated to the
    // frames seen so far (up to `last`) and held in `history`.
    private FramePrediction Emit(long t, long last)
    {
        long first = half > 0 ? t - half : t - Options.Window + 1;
        long end = half > 0 ? Math.Min(t + half, last) : t;
        long historyStart = pushed - history.Count;
        first = Math.Max(first, historyStart);
        int from = (int)(first - historyStart), count = (int)(end - first + 1);
        var window = CollectionsMarshal.AsSpan(history).Slice(from, count);
        var centre = history[(int)(t - historyStart)];
        emitted++;

        ImmutableArray<float> probabilities = centre.Probabilities;
        if (!centre.Probabilities.IsDefaultOrEmpty)
        {
            var result = new float[centre.Probabilities.Length];
            for (int k = 0; k < result.Length; k++)
            {
                int n = 0;
                EnsureScratch(window.Length);
                foreach (var p in window)
                    if (!p.Probabilities.IsDefaultOrEmpty) scratch[n++] = p.Probabilities[k];
                result[k] = Combine(scratch.AsSpan(0, n));
            }
            if (Options.Method == SmoothingMethod.Median) Renormalise(result);
            probabilities = ImmutableCollectionsMarshal.AsImmutableArray(result);
        }
        float? valence = centre.Valence is null ? null : CombineScalar(window, static p => p.Valence);
        float? arousal = centre.Arousal is null ? null : CombineScalar(window, static p => p.Arousal);
        return centre with { Probabilities = probabilities, Valence = valence, Arousal = arousal };
    }

    private float CombineScalar(ReadOnlySpan<FramePrediction> window, Func<FramePrediction, float?> select)
    {
        EnsureScratch(window.Length);
        int n = 0;
        foreach (var p in window)
            if (select(p) is { } v) scratch[n++] = v;
        return Combine(scratch.AsSpan(0, n));
    }

    private float Combine(Span<float> values)
    {
        if (Options.Method == SmoothingMethod.Median)
        {
            values.Sort();
            int m = values.Length / 2;
            return values.Length % 2 == 1 ? values[m] : 0.5f * (values[m - 1] + values[m]);
        }
        double sum = 0;
        foreach (float v in values) sum += v;
        return (float)(sum / values.Length);
    }

    private static void Renormalise(Span<float> probabilities)
    {
        double sum = 0;
        foreach (float p in probabilities) sum += p;
        if (sum <= 0) return;
        for (int k = 0; k < probabilities.Length; k++) probabilities[k] = (float)(probabilities[k] / sum);
    }

    private void EnsureScratch(int length)
    {
        if (scratch.Length < length) scratch = new float[length];
    }
}
