using System.Collections.Immutable;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// A deletion or insertion curve (Petsiuk, Das &amp; Saenko, 2018, "RISE: Randomized Input Sampling for Explanation of Black-box
/// Models", BMVC) measuring how faithful maps are to the model. Deletion: the most salient pixels (by the map, per frame) are
/// replaced by a baseline in k steps and the target is measured after each; a faithful map makes it fall fast (a small area
/// under the curve). Insertion: starting from the baseline, the most salient pixels are restored first; a faithful map makes the
/// target rise fast (a large area). Compare methods on the same frames and target: lower deletion area and higher insertion area
/// are better.
/// </summary>
/// <param name="Kind"><c>deletion</c> or <c>insertion</c>.</param>
/// <param name="Fractions">The fraction of pixels removed (deletion) or restored (insertion) at each point: 0, 1/k, ..., 1.</param>
/// <param name="Scores">The target at each point, averaged over the frames the maps explain.</param>
/// <param name="Area">The area under the curve over fractions [0, 1] (trapezoidal rule), in the target's units.</param>
public sealed record FaithfulnessCurve(string Kind, ImmutableArray<double> Fractions, ImmutableArray<double> Scores, double Area)
{
    /// <summary>The deletion curve of <paramref name="explanation"/>'s maps for <paramref name="target"/>.</summary>
    /// <param name="model">The model explained.</param>
    /// <param name="frames">The normalised frames <c>[B, T, 3, S, S]</c> the maps were computed on.</param>
    /// <param name="explanation">The maps.</param>
    /// <param name="target">The target the maps explain.</param>
    /// <param name="options">Steps and baseline; null for <see cref="FaithfulnessOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The frames and the maps differ in shape, or the target does not fit the model.</exception>
    public static FaithfulnessCurve Deletion(EmotionModel model, Tensor frames, ExplanationResult explanation, IExplanationTarget target,
        FaithfulnessOptions? options = null) => Measure(model, frames, explanation, target, options, deletion: true);

    /// <summary>The insertion curve of <paramref name="explanation"/>'s maps for <paramref name="target"/>.</summary>
    /// <inheritdoc cref="Deletion" path="/param"/>
    /// <exception cref="ArgumentException">The frames and the maps differ in shape, or the target does not fit the model.</exception>
    public static FaithfulnessCurve Insertion(EmotionModel model, Tensor frames, ExplanationResult explanation, IExplanationTarget target,
        FaithfulnessOptions? options = null) => Measure(model, frames, explanation, target, options, deletion: false);

    private static FaithfulnessCurve Measure(EmotionModel model, Tensor frames, ExplanationResult explanation, IExplanationTarget target,
        FaithfulnessOptions? options, bool deletion)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(explanation);
        ArgumentNullException.ThrowIfNull(target);
        options = (options ?? FaithfulnessOptions.Default).Validate();
        target.Validate(model);
        int b = explanation.BatchSize, t = explanation.FrameCount, h = explanation.Height, w = explanation.Width;
        if (frames.dim() != 5 || frames.shape[0] != b || frames.shape[1] != t || frames.shape[2] != 3 || frames.shape[3] != h || frames.shape[4] != w)
            throw new ArgumentException($"The frames [{string.Join(", ", frames.shape)}] do not match the explanation's maps ({b} x {t} frames of {h} x {w}); pass the frames the maps were computed on.", nameof(frames));

        bool wasTraining = model.training;
        var scores = new double[options.Steps + 1];
        var fractions = new double[options.Steps + 1];
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = frames.detach().view(b * t, 3, h, w);
            var baseline = Baseline(x, options);
            var maps = tensor(explanation.Maps.ToArray(), device: x.device).view(b * t, h * w);
            // rank[n, p] = position of pixel p when frame n's pixels are sorted by decreasing saliency.
            var order = maps.argsort(1, descending: true);
            var rank = order.argsort(1).view(b * t, 1, h, w);
            long pixels = (long)h * w;
            for (int k = 0; k <= options.Steps; k++)
            {
                using var stepScope = NewDisposeScope();
                fractions[k] = (double)k / options.Steps;
                long count = (long)Math.Round(fractions[k] * pixels);
                var chosen = rank.lt(count).to(x.dtype); // 1 where the pixel is among the `count` most salient
                var perturbed = deletion ? x * (1 - chosen) + baseline * chosen : baseline * (1 - chosen) + x * chosen;
                using var output = model.forward(perturbed.view(b, t, 3, h, w));
                var selected = target.Select(output);
                var value = explanation.SequenceMode == SequenceTargetMode.LastFrame ? selected.select(1, selected.shape[1] - 1) : selected;
                scores[k] = value.mean().ToDouble();
                if (!double.IsFinite(scores[k]))
                    throw new InvalidOperationException($"The model's target '{target.Name}' is not finite at step {k} of the {(deletion ? "deletion" : "insertion")} curve.");
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        double area = 0;
        for (int k = 1; k < scores.Length; k++) area += (fractions[k] - fractions[k - 1]) * (scores[k] + scores[k - 1]) / 2;
        return new FaithfulnessCurve(deletion ? "deletion" : "insertion", [.. fractions], [.. scores], area);
    }

    private static Tensor Baseline(Tensor x, FaithfulnessOptions options) => options.Baseline switch
    {
        FaithfulnessBaseline.Mean => x.mean([2, 3], keepdim: true).expand_as(x),
        FaithfulnessBaseline.Zero => zeros_like(x),
        _ => nn.functional.avg_pool2d(x, options.BlurKernel, stride: 1, padding: options.BlurKernel / 2, count_include_pad: false),
    };
}
