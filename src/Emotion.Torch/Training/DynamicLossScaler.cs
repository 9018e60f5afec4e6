using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Training;

/// <summary>
/// Dynamic loss scaling for <see cref="TrainingPrecision.Float16"/> training (Micikevicius et al., "Mixed Precision Training",
/// ICLR 2018; PyTorch's <c>GradScaler</c>): float16 gradients below about 6e-8 flush to zero, so the loss is multiplied by
/// <see cref="Scale"/> before the backward pass and the gradients are divided by it before the optimizer step. A step whose
/// gradients overflowed (an infinity or NaN) is skipped and halves the scale; every <see cref="GrowthInterval"/> steps in a row
/// without overflow double it.
/// </summary>
public sealed class DynamicLossScaler
{
    private int sinceOverflow;

    /// <summary>Creates a scaler.</summary>
    /// <param name="initialScale">The first scale (PyTorch's default 65536 = 2^16).</param>
    /// <param name="growthInterval">Steps without overflow before the scale doubles (PyTorch's default 2000).</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive scale or interval.</exception>
    public DynamicLossScaler(double initialScale = 65536, int growthInterval = 2000)
    {
        if (!(initialScale > 0) || !double.IsFinite(initialScale))
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "The loss scale must be a positive number.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(growthInterval);
        Scale = initialScale;
        GrowthInterval = growthInterval;
    }

    /// <summary>The factor the loss is multiplied by before the backward pass.</summary>
    public double Scale { get; private set; }

    /// <summary>Steps without overflow after which the scale doubles.</summary>
    public int GrowthInterval { get; }

    /// <summary>Steps skipped because their gradients overflowed.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// After the backward pass of the scaled loss: divides every gradient of <paramref name="parameters"/> by <see cref="Scale"/>
    /// and checks them. All finite: counts towards growth and returns true (take the optimizer step). Otherwise: zeroes the
    /// gradients, halves the scale, counts a skipped step and returns false (skip the optimizer step).
    /// </summary>
    public bool UnscaleAndUpdate(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        var grads = new List<Tensor>();
        foreach (var p in parameters)
            if (p.grad is { } g) grads.Add(g);
        bool finite = true;
        if (grads.Count > 0)
        {
            using (no_grad())
            {
                foreach (var g in grads) g.mul_(1.0 / Scale);
                // One sum per gradient, stacked: a single infinity or NaN anywhere makes its sum non-finite; one device sync.
                finite = torch.stack(grads.Select(g => g.sum().to(ScalarType.Float32))).isfinite().all().item<bool>();
                if (!finite) foreach (var g in grads) g.zero_();
            }
        }
        if (!finite)
        {
            Scale /= 2;
            sinceOverflow = 0;
            SkippedSteps++;
            return false;
        }
        if (++sinceOverflow >= GrowthInterval)
        {
            Scale *= 2;
            sinceOverflow = 0;
        }
        return true;
    }
}
