using Emotion.Core.IO;
using System.Collections.Immutable;
using System.Text.Json;
using Emotion.Core;

namespace Emotion.Torch.Losses;

/// <summary>
/// The description of a composite training loss: a weighted sum of <see cref="LossTerm"/>s
/// (<c>total = sum_i weight_i * term_i</c>). Immutable and JSON-serialisable with <see cref="EmotionModelInfo.JsonOptions"/>,
/// so that it travels in model configurations and checkpoints. Build one fluently with <see cref="LossBuilder"/> or take
/// <see cref="DefaultFor"/>; <see cref="EmotionLoss"/> computes it.
/// </summary>
public sealed record LossSpec
{
    /// <summary>The terms of the sum, in the order they are reported.</summary>
    public ImmutableArray<LossTerm> Terms { get; init; } = [];

    /// <summary>Whether some term reads the category logits (cross-entropy).</summary>
    public bool NeedsCategories => !Terms.IsDefault && Terms.Any(t => t.UsesCategories);

    /// <summary>Whether some term reads the valence/arousal outputs (CCC or MSE).</summary>
    public bool NeedsValenceArousal => !Terms.IsDefault && Terms.Any(t => t.UsesValenceArousal);

    /// <summary>
    /// The default loss of a task: cross-entropy for <see cref="EmotionTask.Categorical"/>, 1 - CCC for
    /// <see cref="EmotionTask.ValenceArousal"/>, and their sum with weights 1 for <see cref="EmotionTask.Combined"/>.
    /// </summary>
    public static LossSpec DefaultFor(EmotionTask task) => task switch
    {
        EmotionTask.Categorical => new LossBuilder().CrossEntropy().Build(),
        EmotionTask.ValenceArousal => new LossBuilder().Ccc().Build(),
        EmotionTask.Combined => new LossBuilder().CrossEntropy().Ccc().Build(),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Not an emotion task."),
    };

    /// <summary>
    /// Checks the terms, and when <paramref name="task"/> is given that they fit it: every term reads an output the task
    /// produces, and every output the task produces is trained by some term.
    /// </summary>
    /// <param name="task">The model's task, or null to check the terms only.</param>
    /// <param name="classCount">The model's number of categories (checked against explicit class weights), or null.</param>
    /// <exception cref="ArgumentException">The loss is empty, a term is invalid, or the loss does not fit the task (the message says what to change).</exception>
    public LossSpec Validate(EmotionTask? task = null, int? classCount = null)
    {
        if (Terms.IsDefaultOrEmpty)
            throw new ArgumentException("The loss has no terms; add at least one (for example .CrossEntropy() or .Ccc()).", nameof(Terms));
        foreach (var term in Terms)
        {
            if (term is null) throw new ArgumentException("The loss has a null term.", nameof(Terms));
            term.Validate(classCount);
        }
        if (task is { } t)
        {
            if (NeedsCategories && !t.HasCategories())
                throw new ArgumentException(
                    $"The loss has a cross-entropy term but the task '{t.ToName()}' predicts no categories; remove .CrossEntropy(...) or use the categorical or combined task.", nameof(task));
            if (NeedsValenceArousal && !t.HasValenceArousal())
                throw new ArgumentException(
                    $"The loss has a valence/arousal term ({string.Join(", ", Terms.Where(x => x.UsesValenceArousal).Select(x => x.Name))}) but the task '{t.ToName()}' predicts no valence/arousal; remove .Ccc(...)/.Mse(...) or use the va or combined task.", nameof(task));
            if (t.HasCategories() && !NeedsCategories)
                throw new ArgumentException(
                    $"The task '{t.ToName()}' predicts categories but the loss has no cross-entropy term; add .CrossEntropy(...) (weight 0 to leave the categories untrained on purpose).", nameof(task));
            if (t.HasValenceArousal() && !NeedsValenceArousal)
                throw new ArgumentException(
                    $"The task '{t.ToName()}' predicts valence/arousal but the loss has no Ccc or Mse term; add .Ccc(...) or .Mse(...) (weight 0 to leave them untrained on purpose).", nameof(task));
        }
        return this;
    }

    /// <summary>A short description such as <c>1*ce + 0.5*ccc(dims=[1, 2])</c>.</summary>
    public string Describe() => Terms.IsDefaultOrEmpty ? "(empty)" : string.Join(" + ", Terms.Select(t => t.Describe()));

    /// <summary>Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/> and validates the terms.</summary>
    /// <exception cref="FormatException">The text is not a valid loss description.</exception>
    public static LossSpec FromJson(string json)
        => EmotionJson.Deserialize<LossSpec>(json, "loss description", spec => spec.Validate());

    /// <inheritdoc />
    public bool Equals(LossSpec? other)
    {
        if (other is null) return false;
        if (Terms.IsDefaultOrEmpty || other.Terms.IsDefaultOrEmpty) return Terms.IsDefaultOrEmpty && other.Terms.IsDefaultOrEmpty;
        return Terms.SequenceEqual(other.Terms);
    }

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        if (!Terms.IsDefault) foreach (var t in Terms) hash.Add(t);
        return hash.ToHashCode();
    }
}
