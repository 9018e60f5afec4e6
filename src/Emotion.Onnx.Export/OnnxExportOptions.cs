using Emotion.Onnx.Export.Emitters;

namespace Emotion.Onnx.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default options.</summary>
    public static OnnxExportOptions Default { get; } = new();

    /// <summary>
    /// Whether the graph takes the recurrent state (<c>h0</c>, and <c>c0</c> for an LSTM) as inputs, to continue a stream
    /// chunk by chunk (default true). When true the caller must feed them (zeros for the first chunk); when false the
    /// recurrence starts from zeros. Bidirectional heads never get state inputs (they cannot continue a stream). The final state outputs (<c>hn</c>, <c>cn</c>) are always written for recurrent heads.
    /// </summary>
    public bool StateInputs { get; init; } = true;

    /// <summary>Whether to add a <c>probabilities</c> output (softmax of the logits over categories; default true).</summary>
    public bool Probabilities { get; init; } = true;

    /// <summary>Whether to add the <c>features</c> output (the per-frame features after the recurrent head; default true).</summary>
    public bool Features { get; init; } = true;

    /// <summary>Emitters for custom modules (for example a user's own backbone), consulted before the built-in ones.</summary>
    public IReadOnlyList<IOnnxModuleEmitter> CustomEmitters { get; init; } = [];

    /// <summary>A description written into the model's <c>doc_string</c> (optional).</summary>
    public string? Description { get; init; }
}
