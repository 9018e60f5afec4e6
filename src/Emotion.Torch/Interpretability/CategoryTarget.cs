using Emotion.Core;
using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>The logit (before softmax, as Grad-CAM uses) of one category, by index into the model's category list.</summary>
public sealed class CategoryTarget : IExplanationTarget
{
    /// <summary>Targets the logit at <paramref name="classIndex"/> of the model's category list.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative.</exception>
    public CategoryTarget(int classIndex)
    {
        if (classIndex < 0) throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, "Expected a non-negative category index.");
        ClassIndex = classIndex;
    }

    /// <summary>Targets the logit of <paramref name="category"/> (its index in <see cref="EmotionCategories.Basic"/> order).</summary>
    public CategoryTarget(EmotionCategory category) : this((int)category) => Category = category;

    /// <summary>The logit index.</summary>
    public int ClassIndex { get; }

    /// <summary>The category, when the target was made from one.</summary>
    public EmotionCategory? Category { get; }

    /// <inheritdoc />
    public string Name => Category?.ToName() ?? (Enum.IsDefined((EmotionCategory)ClassIndex) ? ((EmotionCategory)ClassIndex).ToName() : $"class{ClassIndex}");

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
        return logits.select(-1, ClassIndex);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
