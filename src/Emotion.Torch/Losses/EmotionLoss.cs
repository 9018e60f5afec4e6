using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Losses;

/// <summary>
/// Computes a <see cref="LossSpec"/> on a model's <see cref="EmotionOutput"/> against <see cref="EmotionTargets"/>:
/// <c>total = sum_i weight_i * term_i</c> with cross-entropy on <see cref="EmotionOutput.Logits"/> and CCC/MSE on
/// <see cref="EmotionOutput.ValenceArousal"/> (see <see cref="LossFunctions"/> for the formulas). Holds the class-weight
/// tensors, hence <see cref="IDisposable"/>.
/// </summary>
/// <remarks>
/// Sequence-to-sequence outputs (<c>T_out = T</c>) are scored frame by frame; sequence-to-one outputs (<c>T_out = 1</c>) are
/// scored against the labels of each sequence's last real frame (<see cref="EmotionTargets.LastFrames"/>).
/// A term with no labeled frame in the batch (or a CCC dimension with fewer than 2) contributes 0, never NaN.
/// </remarks>
public sealed class EmotionLoss : IDisposable
{
    private readonly Tensor?[] _classWeights;

    /// <summary>Creates the loss of <paramref name="spec"/>.</summary>
    /// <param name="spec">The terms.</param>
    /// <param name="classCount">The model's number of categories (logit width).</param>
    /// <param name="classCounts">
    /// Training frames per class, needed when a term uses <see cref="ClassWeighting.Balanced"/> (see <see cref="ClassWeights.Count"/>);
    /// ignored otherwise.
    /// </param>
    /// <param name="device">Where the class-weight tensors live (moved to the logits' device on first use when different).</param>
    /// <exception cref="ArgumentException">The spec is invalid, or balanced weights are requested without <paramref name="classCounts"/>.</exception>
    public EmotionLoss(LossSpec spec, int classCount = EmotionCategories.BasicCount, ReadOnlySpan<long> classCounts = default, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        Spec = spec.Validate(classCount: classCount);
        ClassCount = classCount;
        _classWeights = new Tensor?[spec.Terms.Length];
        var resolved = ImmutableArray.CreateBuilder<float[]?>(spec.Terms.Length);
        var names = ImmutableArray.CreateBuilder<string>(spec.Terms.Length);
        for (int i = 0; i < spec.Terms.Length; i++)
        {
            var term = spec.Terms[i];
            int repeat = 0;
            for (int j = 0; j < i; j++) if (spec.Terms[j].Kind == term.Kind) repeat++;
            names.Add(repeat == 0 ? term.Name : $"{term.Name}_{repeat + 1}");
            float[]? weights = term.ClassWeighting switch
            {
                ClassWeighting.Explicit => term.ClassWeights.ToArray(),
                ClassWeighting.Balanced => classCounts.IsEmpty
                    ? throw new ArgumentException(
                        "The cross-entropy uses balanced class weights, which need the training label counts: pass classCounts (for example ClassWeights.Count(trainingBatches, classCount)).",
                        nameof(classCounts))
                    : classCounts.Length != classCount
                        ? throw new ArgumentException($"classCounts has {classCounts.Length} entries; expected one per category ({classCount}).", nameof(classCounts))
                        : ClassWeights.Balanced(classCounts),
                _ => null,
            };
            resolved.Add(weights);
            if (weights is not null)
                _classWeights[i] = torch.tensor(weights, device: device ?? CPU).DetachFromDisposeScope();
        }
        ResolvedClassWeights = resolved.MoveToImmutable();
        TermNames = names.MoveToImmutable();
    }

    /// <summary>The terms computed.</summary>
    public LossSpec Spec { get; }

    /// <summary>The number of categories the cross-entropy expects.</summary>
    public int ClassCount { get; }

    /// <summary>The names under which the terms are reported, parallel to <see cref="LossSpec.Terms"/>.</summary>
    public ImmutableArray<string> TermNames { get; }

    /// <summary>The class weights each term uses (null for unweighted terms), parallel to <see cref="LossSpec.Terms"/>.</summary>
    public ImmutableArray<float[]?> ResolvedClassWeights { get; }

    /// <summary>Computes the loss of a batch.</summary>
    /// <exception cref="ArgumentException">An output the loss needs is missing, or the shapes do not match the targets.</exception>
    public LossResult Compute(EmotionOutput output, EmotionTargets targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targets);
        var aligned = Align(output, targets);
        var terms = ImmutableArray.CreateBuilder<(string, double, Tensor)>(Spec.Terms.Length);
        Tensor? total = null;
        Span<long> counts = [aligned.LabeledValenceFrames, aligned.LabeledArousalFrames];
        for (int i = 0; i < Spec.Terms.Length; i++)
        {
            var term = Spec.Terms[i];
            Tensor value = term.Kind switch
            {
                LossKind.CrossEntropy => LossFunctions.CrossEntropy(output.Logits!, aligned.Categories,
                    WeightsOn(i, output.Logits!.device), term.LabelSmoothing, aligned.LabeledCategoryFrames),
                LossKind.Ccc => LossFunctions.Concordance(output.ValenceArousal!, aligned.ValenceArousal, aligned.ValenceArousalMask,
                    counts, term.DimensionWeights.AsSpan()),
                LossKind.Mse => LossFunctions.MeanSquaredError(output.ValenceArousal!, aligned.ValenceArousal, aligned.ValenceArousalMask,
                    counts, term.DimensionWeights.AsSpan()),
                _ => throw new InvalidOperationException($"Unknown loss kind {term.Kind}."),
            };
            terms.Add((TermNames[i], term.Weight, value));
            using var weighted = value * term.Weight;
            var next = total is null ? weighted.clone() : total + weighted;
            total?.Dispose();
            total = next;
        }
        return new LossResult(total!, terms.MoveToImmutable());
    }

    private EmotionTargets Align(EmotionOutput output, EmotionTargets targets)
    {
        if (Spec.NeedsCategories && output.Logits is null)
            throw new ArgumentException("The loss has a cross-entropy term but the model output has no category logits (is the model's task 'va'?).", nameof(output));
        if (Spec.NeedsValenceArousal && output.ValenceArousal is null)
            throw new ArgumentException("The loss has a valence/arousal term but the model output has no valence/arousal (is the model's task 'categorical'?).", nameof(output));
        long? steps = null;
        if (Spec.NeedsCategories)
        {
            var s = output.Logits!.shape;
            if (s.Length != 3 || s[0] != targets.BatchSize || s[2] != ClassCount)
                throw new ArgumentException($"Logits have shape [{string.Join(", ", s)}]; expected [B={targets.BatchSize}, T, K={ClassCount}].", nameof(output));
            steps = s[1];
        }
        if (Spec.NeedsValenceArousal)
        {
            var s = output.ValenceArousal!.shape;
            if (s.Length != 3 || s[0] != targets.BatchSize || s[2] != 2 || (steps is { } t && s[1] != t))
                throw new ArgumentException(
                    $"Valence/arousal output has shape [{string.Join(", ", s)}]; expected [B={targets.BatchSize}, T{(steps is { } t2 ? "=" + t2 : "")}, 2].", nameof(output));
            steps = s[1];
        }
        if (steps == targets.SequenceLength) return targets;
        if (steps == 1) return targets.LastFrames();
        throw new ArgumentException(
            $"The model returned {steps} steps per sequence; expected {targets.SequenceLength} (one per frame) or 1 (sequence-to-one).", nameof(output));
    }

    private Tensor? WeightsOn(int term, Device device)
    {
        var w = _classWeights[term];
        if (w is null || (w.device_type == device.type && w.device_index == device.index)) return w;
        var moved = w.to(device).DetachFromDisposeScope();
        w.Dispose();
        _classWeights[term] = moved;
        return moved;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < _classWeights.Length; i++)
        {
            _classWeights[i]?.Dispose();
            _classWeights[i] = null;
        }
    }
}
