using System.Globalization;
using Emotion.Core;
using Emotion.Torch.Losses;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Parses the training choices of <c>emotion train</c> that map onto the library's loss and categories:
/// <c>--loss</c> (term weights), <c>--class-weights</c> and <c>--classes</c>. Every error is a <see cref="UsageException"/>
/// that names the option.
/// </summary>
public static class TrainingChoices
{
    /// <summary>Names of the loss terms <c>--loss</c> accepts.</summary>
    public static readonly string[] LossTermNames = ["ce", "ccc", "mse"];

    /// <summary>The categories for <c>--classes</c> 7 (basic) or 8 (with Aff-Wild2's Other).</summary>
    /// <exception cref="UsageException">Not 7 or 8.</exception>
    public static System.Collections.Immutable.ImmutableArray<EmotionCategory> Categories(int classes) => classes switch
    {
        EmotionCategories.BasicCount => EmotionCategories.Basic,
        EmotionCategories.BasicCount + 1 => EmotionCategories.WithOther,
        _ => throw new UsageException($"--classes must be 7 (the basic expressions) or 8 (with Aff-Wild2's Other); got {classes}."),
    };

    /// <summary>
    /// The loss for <paramref name="task"/> from <c>--loss</c> (null: the task's default terms, weight 1 each) and
    /// <c>--class-weights</c> (null or <c>none</c>: equal weights; <c>balanced</c>: from the training labels; a comma-separated
    /// list: one weight per category), checked against the task and the number of categories.
    /// </summary>
    /// <exception cref="UsageException">A value does not parse or does not fit the task; the message names the option.</exception>
    public static LossSpec Loss(string? loss, string? classWeights, EmotionTask task, int classCount)
    {
        var weights = new List<(LossKind Kind, double Weight)>();
        if (loss is null)
        {
            foreach (var term in LossSpec.DefaultFor(task).Terms) weights.Add((term.Kind, term.Weight));
        }
        else
        {
            var parts = loss.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) throw new UsageException("--loss: expected terms such as ce=1,ccc=1.");
            foreach (var part in parts)
            {
                var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
                string name = pair[0].ToLowerInvariant();
                LossKind kind = name switch
                {
                    "ce" => LossKind.CrossEntropy,
                    "ccc" => LossKind.Ccc,
                    "mse" => LossKind.Mse,
                    _ => throw new UsageException($"--loss: unknown term '{pair[0]}'; expected {string.Join(", ", LossTermNames)} (as ce=1,ccc=0.5)."),
                };
                double weight = 1.0;
                if (pair.Length == 2 && !(double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight) && weight >= 0))
                    throw new UsageException($"--loss: the weight of '{name}' is '{pair[1]}'; expected a non-negative number (as {name}=0.5).");
                if (weights.Any(w => w.Kind == kind)) throw new UsageException($"--loss: the term '{name}' is given twice.");
                weights.Add((kind, weight));
            }
        }

        var weighting = ClassWeighting.None;
        float[]? explicitWeights = null;
        switch (classWeights?.Trim().ToLowerInvariant())
        {
            case null or "none":
                break;
            case "balanced":
                weighting = ClassWeighting.Balanced;
                break;
            default:
                var items = classWeights.Split(',', StringSplitOptions.TrimEntries);
                explicitWeights = new float[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    if (!float.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out explicitWeights[i]) || !float.IsFinite(explicitWeights[i]) || explicitWeights[i] < 0)
                        throw new UsageException($"--class-weights: expected 'balanced', 'none' or {classCount} comma-separated non-negative numbers (one per category); '{items[i]}' is not one.");
                }
                if (explicitWeights.Length != classCount)
                    throw new UsageException($"--class-weights: {explicitWeights.Length} weights given but the model has {classCount} categories ({string.Join(", ", Categories(classCount).Select(c => c.ToName()))}); give one per category, in that order.");
                weighting = ClassWeighting.Explicit;
                break;
        }
        if (weighting != ClassWeighting.None && !weights.Any(w => w.Kind == LossKind.CrossEntropy))
            throw new UsageException($"--class-weights weights the cross-entropy term, which this loss does not have (task '{task.ToName()}'{(loss is null ? "" : ", --loss " + loss)}).");

        var builder = new LossBuilder();
        foreach (var (kind, weight) in weights)
        {
            _ = kind switch
            {
                LossKind.CrossEntropy when explicitWeights is not null => builder.CrossEntropy(weight, classWeights: explicitWeights),
                LossKind.CrossEntropy => builder.CrossEntropy(weight, 0.0, weighting),
                LossKind.Ccc => builder.Ccc(weight),
                _ => builder.Mse(weight),
            };
        }
        try
        {
            return builder.Build().Validate(task, task.HasCategories() ? classCount : null);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--loss: {e.Message}");
        }
    }
}
