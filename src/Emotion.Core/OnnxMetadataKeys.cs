namespace Emotion.Core;

/// <summary>
/// The metadata keys (<c>metadata_props</c>) an ONNX model exported by Emotion.Core carries. The exporter
/// (Emotion.Onnx.Export) writes them and the inference side (Emotion.Onnx) reads them, so that preprocessing and
/// label order are never re-stated by hand. <see cref="ModelInfo"/> is the authoritative entry; the per-field keys
/// repeat its values in plain text for tools such as Netron.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>The version of this metadata layout, an integer as text (currently <see cref="CurrentFormatVersion"/>).</summary>
    public const string FormatVersion = "emotion.format_version";

    /// <summary>The metadata layout version written by this library.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The complete <see cref="EmotionModelInfo"/> as JSON (<see cref="EmotionModelInfo.ToJson"/>).</summary>
    public const string ModelInfo = "emotion.model_info";

    /// <summary>The task name (<c>categorical</c>, <c>va</c> or <c>combined</c>; see <see cref="EmotionTaskExtensions.ToName"/>).</summary>
    public const string Task = "emotion.task";

    /// <summary>The category names in logit order, comma-separated (for example <c>neutral,anger,...</c>); empty for a VA model.</summary>
    public const string Categories = "emotion.categories";

    /// <summary>The square frame size in pixels (the input's H and W).</summary>
    public const string FrameSize = "emotion.frame_size";

    /// <summary>The per-channel normalisation mean of [0, 1] RGB pixels, as <c>r,g,b</c> (invariant culture).</summary>
    public const string NormalizationMean = "emotion.normalization.mean";

    /// <summary>The per-channel normalisation standard deviation, as <c>r,g,b</c> (invariant culture).</summary>
    public const string NormalizationStd = "emotion.normalization.std";

    /// <summary>The sequence length the model was trained on.</summary>
    public const string SequenceLength = "emotion.sequence_length";

    /// <summary>The version of the library that exported the model.</summary>
    public const string LibraryVersion = "emotion.library_version";

    /// <summary>The recurrent head: <c>gru</c>, <c>lstm</c> or <c>none</c>.</summary>
    public const string Recurrence = "emotion.recurrence";

    /// <summary>Whether outputs are per frame (<c>per_frame</c>, T outputs for T frames) or per sequence (<c>sequence</c>, one output row).</summary>
    public const string OutputMode = "emotion.output_mode";

    /// <summary>The graph's input names, comma-separated, in order (see <see cref="OnnxTensorNames"/>).</summary>
    public const string Inputs = "emotion.inputs";

    /// <summary>The graph's output names, comma-separated, in order (see <see cref="OnnxTensorNames"/>).</summary>
    public const string Outputs = "emotion.outputs";

    /// <summary>The model's architecture options as JSON, when the exporter knows them (informational).</summary>
    public const string Architecture = "emotion.architecture";

    /// <summary>
    /// How valence/arousal are produced: <see cref="ValenceArousalRegressed"/> or <see cref="ValenceArousalFromCategories"/>
    /// (estimated from the category probabilities; see <see cref="Emotion.Core.ValenceArousalSource"/>).
    /// </summary>
    public const string ValenceArousalSource = "emotion.valence_arousal_source";

    /// <summary>The value of <see cref="ValenceArousalSource"/> for a trained valence/arousal output.</summary>
    public const string ValenceArousalRegressed = "regressed";

    /// <summary>The value of <see cref="ValenceArousalSource"/> for valence/arousal estimated from the category probabilities (expected circumplex position).</summary>
    public const string ValenceArousalFromCategories = "estimated_from_categories";

    /// <summary>Where imported weights come from (pretrained catalogue name, source package, licence); absent for trained models.</summary>
    public const string Origin = "emotion.origin";

    /// <summary>
    /// The numeric precision of the graph's main operators: <see cref="PrecisionInt8"/> for a model quantized by
    /// <c>Emotion.Onnx.Export.Quantization.OnnxQuantizer</c>, <see cref="PrecisionFloat16"/> for a float16 conversion; absent (or <see cref="PrecisionFloat32"/>) for a float32 export.
    /// </summary>
    public const string Precision = "emotion.precision";

    /// <summary>The value of <see cref="Precision"/> for a float32 graph.</summary>
    public const string PrecisionFloat32 = "fp32";

    /// <summary>The value of <see cref="Precision"/> for a statically quantized graph (QDQ format, int8 weights, 8-bit activations).</summary>
    public const string PrecisionInt8 = "int8";

    /// <summary>
    /// The value of <see cref="Precision"/> for a graph converted to float16 by <c>Emotion.Onnx.Export.Precision.Float16Converter</c>
    /// (float16 weights and activations; float32 inputs and outputs behind Cast nodes).
    /// </summary>
    public const string PrecisionFloat16 = "fp16";

    /// <summary>
    /// How a quantized model's activation ranges were calibrated, for example <c>percentile(99.999)</c>, <c>minmax</c> or
    /// <c>entropy</c>, followed by the number of calibration frames (<c>; 256 frames</c>).
    /// </summary>
    public const string QuantizationCalibration = "emotion.quantization.calibration";

    /// <summary>
    /// The quantization scheme of a quantized model, for example
    /// <c>qdq; weights int8 per-channel symmetric; activations uint8 asymmetric; fp32: GRU, Gemm</c>.
    /// </summary>
    public const string QuantizationScheme = "emotion.quantization.scheme";
}
