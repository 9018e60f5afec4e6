namespace Emotion.Torch.Evaluation;

/// <summary>Options of <see cref="ModelEvaluator.Evaluate"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>How predictions of the same frame from overlapping windows are merged.</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.MostContext;

    /// <summary>Whether the result lists the per-frame predictions (false keeps only the metrics).</summary>
    public bool CollectPredictions { get; init; } = true;
}
