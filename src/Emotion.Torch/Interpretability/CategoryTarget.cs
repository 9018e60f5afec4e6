using Emotion.Core;
using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// One category's score, by index into the model's category list: its logit (before softmax, as Grad-CAM uses) or its
/// log-probability (<see cref="CategoryScore"/>).
/// </summary>
public sealed class CategoryTarget : IExplanationTarget
{
    /// <summary>Targets the score at <paramref name="classIndex"/> of the model's category list.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative or the score is not a <see cref="CategoryScore"/>.</exception>
    public CategoryTarget(int classIndex, CategoryScore score = CategoryScore.Logit)
    {
        if (classIndex < 0) throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, "Expected a non-negative category index.");
        if (!Enum.IsDefined(score)) throw new ArgumentOutOfRangeException(nameof(score), score, "Expected Logit or LogProbability.");
        ClassIndex = classIndex;
        Score = score;
    }

    /// <summary>Targets the score of <paramref name="category"/> (its index in <see cref="EmotionCategories.Basic"/> order).</summary>
    public CategoryTarget(EmotionCategory category, CategoryScore score = CategoryScore.Logit) : this((int)category, score) => Category = category;

    /// <summary>The logit index.</summary>
    public int ClassIndex { get; }

    /// <summary>The category, when the target was made from one.</summary>
    public EmotionCategory? Category { get; }

    /// <summary>The score explained: the logit or the log-probability.</summary>
    public CategoryScore Score { get; }

    /// <inheritdoc />
    public string Name => Score == CategoryScore.Logit ? CategoryName : $"log p({CategoryName})";

    private string CategoryName => Category?.ToName() ?? (Enum.IsDefined((EmotionCategory)ClassIndex) ? ((EmotionCategory)ClassIndex).ToName() : $"class{ClassIndex}");

    /// <inheritdoc />
    public void Validate(EmotionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.Options.Task.HasCategories())
            throw new ArgumentException($"Target '{Name}' needs category logits, but the model's task is '{model.Options.Task.ToName()}' (valence/arousal only); use ValenceTarget or ArousalTarget.", nameof(model));
        int count = model.Options.ClassCount;
        if (ClassIndex >= count)
            throw new ArgumentOutOfRangeException(nameof(model), ClassIndex, $"Target category index {ClassIndex} is out of range: the model has {count} categories (indices 0 to {count - 1}: {string.Join(", ", model.Options.Categories.Select(c => c.ToName()))}).");
    }

    /// <inheritdoc />
    public Tensor Select(EmotionOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var logits = output.Logits ?? throw new ArgumentException($"Target '{Name}' needs category logits, but the output has none.", nameof(output));
        return Score == CategoryScore.Logit ? logits.select(-1, ClassIndex) : logits.log_softmax(-1).select(-1, ClassIndex);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
