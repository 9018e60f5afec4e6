using Emotion.Core;
using Emotion.Torch.Models;
using static TorchSharp.torch;

namespace Emotion.Torch.Interpretability;

/// <summary>
/// Why one category rather than another: the logit difference <c>z_c - z_q</c> (a contrastive explanation, as in Prabhushankar
/// et al., 2020, "Contrastive Explanations in Neural Networks", ICIP). Evidence that raises both logits alike cancels, so the map
/// keeps what tells the two apart. Against <see cref="EmotionCategory.Neutral"/> it shows what makes the face an expression
/// rather than a resting face; on the synthetic faces this localises best (docs/interpretability.md).
/// </summary>
public sealed class ContrastTarget : IExplanationTarget
{
    private readonly CategoryTarget category, versus;

    /// <summary>Targets <c>z[classIndex] - z[versusIndex]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative, or both are the same.</exception>
    public ContrastTarget(int classIndex, int versusIndex)
    {
        if (classIndex == versusIndex)
            throw new ArgumentOutOfRangeException(nameof(versusIndex), versusIndex, "A contrast needs two different categories.");
        category = new CategoryTarget(classIndex);
        versus = new CategoryTarget(versusIndex);
    }

    /// <summary>Targets <c>z_category - z_versus</c> (indices in <see cref="EmotionCategories.Basic"/> order).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Both categories are the same.</exception>
    public ContrastTarget(EmotionCategory category, EmotionCategory versus = EmotionCategory.Neutral)
    {
        if (category == versus)
            throw new ArgumentOutOfRangeException(nameof(versus), versus, "A contrast needs two different categories.");
        this.category = new CategoryTarget(category);
        this.versus = new CategoryTarget(versus);
    }

    /// <summary>The category explained.</summary>
    public CategoryTarget Category => category;

    /// <summary>The category it is contrasted with.</summary>
    public CategoryTarget Versus => versus;

    /// <inheritdoc />
    public string Name => $"{category.Name} vs {versus.Name}";

    /// <inheritdoc />
    public void Validate(EmotionModel model)
    {
        category.Validate(model);
        versus.Validate(model);
    }

    /// <inheritdoc />
    public Tensor Select(EmotionOutput output)
    {
        using var scope = NewDisposeScope();
        return (category.Select(output) - versus.Select(output)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
