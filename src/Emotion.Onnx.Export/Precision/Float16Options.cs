using System.Collections.Frozen;

namespace Emotion.Onnx.Export.Precision;

/// <summary>How <see cref="Float16Converter"/> converts a model. Immutable; change it with <c>with</c>.</summary>
public sealed record Float16Options
{
    /// <summary>
    /// The operators kept in float32 by default: those whose float inputs are coordinates, scales or indices-like values that
    /// float16 cannot carry (Resize and Upsample scales, Range, CumSum, TopK, RoiAlign, NonMaxSuppression boxes), the same list
    /// as onnxconverter-common's <c>DEFAULT_OP_BLOCK_LIST</c> restricted to the default ONNX domain. None of them occurs in the
    /// graphs <see cref="OnnxExporter"/> writes.
    /// </summary>
    public static IReadOnlySet<string> DefaultKeepFloat32Operators { get; } = FrozenSet.ToFrozenSet(
        ["Resize", "Upsample", "Range", "CumSum", "TopK", "RoiAlign", "NonMaxSuppression", "Min", "Max", "RandomUniformLike"], StringComparer.Ordinal);

    // Declared after DefaultKeepFloat32Operators: static initialisers run in text order.
    /// <summary>The default options: float32 inputs and outputs, <see cref="DefaultKeepFloat32Operators"/> kept in float32.</summary>
    public static Float16Options Default { get; } = new();

    /// <summary>
    /// Whether the graph's float32 inputs and outputs stay float32 (default true, like onnxconverter-common's
    /// <c>keep_io_types</c>): a Cast to float16 follows each float input and a Cast to float32 precedes each float output, so
    /// callers feed and read float32 tensors as before. False makes them float16 (callers then pass float16 tensors).
    /// </summary>
    public bool KeepIoTypes { get; init; } = true;

    /// <summary>
    /// Operator types that keep running in float32 (default <see cref="DefaultKeepFloat32Operators"/>): their float inputs are
    /// cast to float32 before them and their float outputs back to float16 after them. Operators outside the default ONNX
    /// domain always stay float32.
    /// </summary>
    public IReadOnlySet<string> KeepFloat32Operators { get; init; } = DefaultKeepFloat32Operators;
}
