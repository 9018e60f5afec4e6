namespace Emotion.Onnx.Models;

/// <summary>What the category output of a model holds.</summary>
public enum CategoryOutputKind
{
    /// <summary>Unnormalised scores; the predictor applies a softmax.</summary>
    Logits,

    /// <summary>Probabilities that already sum to one; used as they are.</summary>
    Probabilities,
}
