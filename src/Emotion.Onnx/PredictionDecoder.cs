using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Emotion.Core;
using Emotion.Onnx.Models;

namespace Emotion.Onnx;

/// <summary>
/// Turns rows of a model's outputs into <see cref="FramePrediction"/>s: softmax of logits (or probabilities as they are),
/// mapped from the model's label order to <see cref="EmotionCategory"/> order, plus valence and arousal. Immutable.
/// </summary>
internal sealed class PredictionDecoder
{
    private readonly OnnxModelDescriptor descriptor;
    private readonly int[] categoryOfIndex; // model output index -> EmotionCategory value, or -1 when the label is unknown
    private readonly bool dropsLabels;

    public PredictionDecoder(OnnxModelDescriptor descriptor)
    {
        this.descriptor = descriptor;
        if (descriptor.CategoryOutput is null)
        {
            categoryOfIndex = [];
            Categories = [];
            return;
        }
        categoryOfIndex = new int[descriptor.Labels.Length];
        bool withOther = false;
        for (int i = 0; i < categoryOfIndex.Length; i++)
        {
            categoryOfIndex[i] = EmotionLabels.TryMap(descriptor.Labels[i], out var category, descriptor.LabelAliases) ? (int)category : -1;
            dropsLabels |= categoryOfIndex[i] < 0;
            withOther |= category == EmotionCategory.Other && categoryOfIndex[i] >= 0;
        }
        Categories = withOther ? EmotionCategories.WithOther : EmotionCategories.Basic;
    }

    /// <summary>The categories of <see cref="FramePrediction.Probabilities"/>, indexed by their enum value (empty without categories).</summary>
    public ImmutableArray<EmotionCategory> Categories { get; }

    /// <summary>Number of values per frame in the category output (the label count).</summary>
    public int LabelCount => categoryOfIndex.Length;

    /// <summary>Decodes one frame.</summary>
    /// <param name="frameNumber">The frame's number.</param>
    /// <param name="categoryRow">The frame's category output row (empty without categories).</param>
    /// <param name="valence">The valence value, or null.</param>
    /// <param name="arousal">The arousal value, or null.</param>
    /// <exception cref="InvalidOperationException">An output is NaN or infinite.</exception>
    public FramePrediction Decode(int frameNumber, ReadOnlySpan<float> categoryRow, float? valence, float? arousal)
    {
        ImmutableArray<float> probabilities = [];
        if (descriptor.CategoryOutput is not null)
        {
            Span<float> p = stackalloc float[categoryRow.Length];
            categoryRow.CopyTo(p);
            CheckFinite(p, frameNumber, descriptor.CategoryOutput);
            if (descriptor.CategoryOutputKind == CategoryOutputKind.Logits) Softmax(p);
            var result = new float[Categories.Length];
            double kept = 0;
            for (int i = 0; i < p.Length; i++)
            {
                int c = categoryOfIndex[i];
                if (c < 0) continue;
                result[c] += p[i];
                kept += p[i];
            }
            if (dropsLabels && kept > 0)
                for (int c = 0; c < result.Length; c++) result[c] = (float)(result[c] / kept);
            probabilities = ImmutableCollectionsMarshal.AsImmutableArray(result);
        }
        if (valence is { } v) CheckFinite([v], frameNumber, descriptor.Valence!.Value.ToString());
        if (arousal is { } a) CheckFinite([a], frameNumber, descriptor.Arousal!.Value.ToString());
        return new FramePrediction(frameNumber, probabilities, valence, arousal);
    }

    /// <summary>Numerically stable softmax in place: <c>exp(x_i - max) / Σ exp(x_j - max)</c>.</summary>
    public static void Softmax(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Exp(values[i] - max);
            sum += values[i];
        }
        for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] / sum);
    }

    private static void CheckFinite(ReadOnlySpan<float> values, int frameNumber, string output)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                throw new InvalidOperationException(
                    $"The model returned {v} in '{output}' for frame {frameNumber}; check that the frames are valid images and that the model file is intact.");
        }
    }
}
