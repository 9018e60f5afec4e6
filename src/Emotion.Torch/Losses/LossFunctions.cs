using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Emotion.Torch.Losses;

/// <summary>
/// The masked loss functions behind <see cref="EmotionLoss"/>, on plain tensors. Every function returns a scalar that stays
/// connected to the predictions' graph (a term without labeled frames is <c>0 * sum(predictions)</c>: zero value, zero
/// gradient, never NaN).
/// </summary>
public static class LossFunctions
{
    /// <summary>Smallest denominator of the CCC (guards the degenerate case of constant, equal series; the loss is then 1).</summary>
    public const float CccDenominatorFloor = 1e-12f;

    /// <summary>
    /// Cross-entropy over the frames whose target is not -1 (PyTorch's <c>cross_entropy(ignore_index=-1, reduction='mean')</c>):
    /// with <c>p = log_softmax(logits)</c>, class weights <c>w</c> (1 when null), smoothing <c>e</c> and K classes,
    /// <c>L = (1 - e) * sum_i w_yi (-p_i,yi) / sum_i w_yi + (e / K) * sum_i sum_c w_c (-p_i,c) / D</c>, where the sums run over
    /// scored frames and <c>D = sum_i w_yi</c> with weights, the number of scored frames without.
    /// </summary>
    /// <param name="logits"><c>[..., K]</c> category logits.</param>
    /// <param name="targets">Class indices of the same leading shape, <c>int64</c>; -1 = not scored.</param>
    /// <param name="classWeights"><c>[K]</c> weights, or null.</param>
    /// <param name="labelSmoothing">Smoothing in [0, 1).</param>
    /// <param name="labeledCount">Number of scored targets (known on the host; 0 gives a zero loss instead of PyTorch's NaN).</param>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets, Tensor? classWeights, double labelSmoothing, long labeledCount)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        long k = logits.shape[^1];
        if (labeledCount <= 0) return logits.sum() * 0;
        using var flatLogits = logits.reshape(-1, k);
        using var flatTargets = targets.reshape(-1);
        return F.cross_entropy(flatLogits, flatTargets, classWeights, ignore_index: -1, reduction: nn.Reduction.Mean, label_smoothing: labelSmoothing);
    }

    /// <summary>
    /// The concordance loss of each valence/arousal dimension d over its labeled frames (population moments, Lin 1989):
    /// <c>CCC_d = 2 cov(x, y) / (var x + var y + (mean x - mean y)^2)</c> and the result
    /// <c>sum_d v_d w_d (1 - CCC_d) / sum_d w_d</c>, where <c>v_d</c> is 1 when the dimension has at least 2 labeled frames and
    /// 0 otherwise (a CCC of fewer than 2 frames is undefined, so such a dimension contributes 0).
    /// </summary>
    /// <param name="predictions"><c>[..., 2]</c> predicted valence and arousal.</param>
    /// <param name="targets"><c>[..., 2]</c> labels.</param>
    /// <param name="mask"><c>[..., 2]</c> float mask, 1 where labeled.</param>
    /// <param name="labeledCounts">Labeled frames per dimension (host side), length 2.</param>
    /// <param name="dimensionWeights">Weights of the dimensions (length 2), or empty for equal weights.</param>
    public static Tensor Concordance(Tensor predictions, Tensor targets, Tensor mask, ReadOnlySpan<long> labeledCounts, ReadOnlySpan<float> dimensionWeights = default) =>
        PerDimension(predictions, targets, mask, labeledCounts, dimensionWeights, minimumFrames: 2, ConcordancePerDimension);

    /// <summary>
    /// The mean squared error of each dimension d over its labeled frames, <c>MSE_d = sum m (x - y)^2 / sum m</c>, combined as
    /// <c>sum_d v_d w_d MSE_d / sum_d w_d</c> with <c>v_d</c> = 1 when the dimension has a labeled frame.
    /// </summary>
    /// <param name="predictions"><c>[..., D]</c> predictions.</param>
    /// <param name="targets"><c>[..., D]</c> labels.</param>
    /// <param name="mask"><c>[..., D]</c> float mask, 1 where labeled.</param>
    /// <param name="labeledCounts">Labeled frames per dimension (host side), length D.</param>
    /// <param name="dimensionWeights">Weights of the dimensions (length D), or empty for equal weights.</param>
    public static Tensor MeanSquaredError(Tensor predictions, Tensor targets, Tensor mask, ReadOnlySpan<long> labeledCounts, ReadOnlySpan<float> dimensionWeights = default) =>
        PerDimension(predictions, targets, mask, labeledCounts, dimensionWeights, minimumFrames: 1, MsePerDimension);

    /// <summary>Per-dimension CCC of masked columns: x, y, m are <c>[N, D]</c>, the result <c>[D]</c>.</summary>
    public static Tensor ConcordanceCorrelation(Tensor x, Tensor y, Tensor m)
    {
        using var scope = NewDisposeScope();
        var n = m.sum(0L).clamp_min(1);
        var meanX = (x * m).sum(0L) / n;
        var meanY = (y * m).sum(0L) / n;
        var dx = (x - meanX) * m;
        var dy = (y - meanY) * m;
        var varX = (dx * dx).sum(0L) / n;
        var varY = (dy * dy).sum(0L) / n;
        var cov = (dx * dy).sum(0L) / n;
        var diff = meanX - meanY;
        var denominator = (varX + varY + diff * diff).clamp_min(CccDenominatorFloor);
        return (2 * cov / denominator).MoveToOuterDisposeScope();
    }

    private static Tensor ConcordancePerDimension(Tensor x, Tensor y, Tensor m)
    {
        using var ccc = ConcordanceCorrelation(x, y, m);
        return 1 - ccc;
    }

    private static Tensor MsePerDimension(Tensor x, Tensor y, Tensor m)
    {
        using var scope = NewDisposeScope();
        var n = m.sum(0L).clamp_min(1);
        var d = (x - y) * m;
        return ((d * d).sum(0L) / n).MoveToOuterDisposeScope();
    }

    private static Tensor PerDimension(Tensor predictions, Tensor targets, Tensor mask, ReadOnlySpan<long> labeledCounts,
        ReadOnlySpan<float> dimensionWeights, int minimumFrames, Func<Tensor, Tensor, Tensor, Tensor> perDimension)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(mask);
        int d = (int)predictions.shape[^1];
        if (!predictions.shape.SequenceEqual(targets.shape) || !predictions.shape.SequenceEqual(mask.shape))
            throw new ArgumentException(
                $"predictions [{string.Join(", ", predictions.shape)}], targets [{string.Join(", ", targets.shape)}] and mask [{string.Join(", ", mask.shape)}] must have the same shape.",
                nameof(targets));
        if (labeledCounts.Length != d)
            throw new ArgumentException($"labeledCounts has {labeledCounts.Length} entries; expected one per dimension ({d}).", nameof(labeledCounts));
        if (!dimensionWeights.IsEmpty && dimensionWeights.Length != d)
            throw new ArgumentException($"dimensionWeights has {dimensionWeights.Length} entries; expected one per dimension ({d}).", nameof(dimensionWeights));

        var effective = new float[d];
        double weightSum = 0;
        bool any = false;
        for (int i = 0; i < d; i++)
        {
            float w = dimensionWeights.IsEmpty ? 1f : dimensionWeights[i];
            weightSum += w;
            if (labeledCounts[i] >= minimumFrames && w > 0) { effective[i] = w; any = true; }
        }
        if (!any || weightSum <= 0) return predictions.sum() * 0;
        for (int i = 0; i < d; i++) effective[i] = (float)(effective[i] / weightSum);

        using var scope = NewDisposeScope();
        var x = predictions.reshape(-1, d);
        var y = targets.reshape(-1, d).to(x.dtype);
        var m = mask.reshape(-1, d).to(x.dtype);
        var perDim = perDimension(x, y, m);
        var w8 = torch.tensor(effective, device: x.device);
        return (perDim * w8).sum().MoveToOuterDisposeScope();
    }
}
