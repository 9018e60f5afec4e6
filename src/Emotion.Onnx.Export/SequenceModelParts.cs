using Emotion.Core;
using Emotion.Torch.Heads;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export;

/// <summary>
/// The pieces of a CNN + RNN sequence model the exporter writes: a per-frame backbone <c>[N, 3, H, W] -> [N, F]</c>, an
/// optional GRU/LSTM over frames (batch-first semantics), the sequence reduction and the output layers. An
/// <see cref="Emotion.Torch.Models.EmotionModel"/> is turned into these by <see cref="OnnxExporter.PartsOf"/>; building them directly lets other
/// TorchSharp models with the same shape be exported too.
/// </summary>
public sealed record SequenceModelParts
{
    /// <summary>The per-frame CNN, <c>[N, 3, H, W] -> [N, F]</c> (a module the emitters know, or one a custom emitter handles).</summary>
    public required nn.Module Backbone { get; init; }

    /// <summary>The recurrent module (TorchSharp <c>GRU</c> or <c>LSTM</c>), or null for per-frame features without recurrence.</summary>
    public nn.Module? Recurrent { get; init; }

    /// <summary>How the head's per-frame outputs are reduced: per frame, last step (<c>T_out = 1</c>) or time mean (<c>T_out = 1</c>).</summary>
    public SequenceOutput Output { get; init; } = SequenceOutput.PerFrame;

    /// <summary>The layer(s) mapping head features <c>[*, F']</c> to category logits <c>[*, C]</c>, or null without categories.</summary>
    public nn.Module? Classifier { get; init; }

    /// <summary>
    /// The layer(s) mapping head features to the two valence/arousal pre-activations; the exporter applies tanh. Null without
    /// VA, and null when <see cref="EmotionModelInfo.ValenceArousalSource"/> is <see cref="ValenceArousalSource.CategoryExpectation"/>
    /// (the graph then computes valence/arousal as <c>softmax(logits) x M</c> with the circumplex positions).
    /// </summary>
    public nn.Module? Regressor { get; init; }

    /// <summary>What consumers need to know (task, categories, frame size, normalisation); written as metadata.</summary>
    public required EmotionModelInfo Info { get; init; }

    /// <summary>The architecture as JSON (informational metadata), or null.</summary>
    public string? ArchitectureJson { get; init; }
}
