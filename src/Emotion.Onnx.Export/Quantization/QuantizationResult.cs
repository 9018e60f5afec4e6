using Emotion.Onnx.Export.Protos;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>The quantization of one activation tensor: its calibrated range and the parameters written into the graph.</summary>
/// <param name="Tensor">The tensor's name in the fp32 graph.</param>
/// <param name="Min">The calibrated lower bound.</param>
/// <param name="Max">The calibrated upper bound.</param>
/// <param name="Parameters">The scale and zero point (from the range widened to include 0).</param>
public sealed record ActivationQuantization(string Tensor, double Min, double Max, QuantizationParameters Parameters);

/// <summary>A weighted operator that stayed fp32, and why.</summary>
/// <param name="Node">The node's name (and first output).</param>
/// <param name="OpType">Conv, Gemm or MatMul.</param>
/// <param name="Reason">Why it was not quantized.</param>
public sealed record Fp32Node(string Node, string OpType, string Reason);

/// <summary>What <see cref="OnnxQuantizer"/> produced.</summary>
public sealed class QuantizationResult
{
    internal QuantizationResult(ModelProto model, IReadOnlyDictionary<string, int> int8Operators, IReadOnlyList<Fp32Node> fp32Nodes,
        IReadOnlyList<ActivationQuantization> activations, int calibrationFrames, QuantizationOptions options)
    {
        Model = model;
        Int8Operators = int8Operators;
        Fp32WeightedNodes = fp32Nodes;
        Activations = activations;
        CalibrationFrames = calibrationFrames;
        Options = options;
    }

    /// <summary>The quantized model (QDQ format, same inputs, outputs and metadata plus the quantization keys).</summary>
    public ModelProto Model { get; }

    /// <summary>How many nodes of each operator type run on quantized values (for example Conv: 20, Add: 8).</summary>
    public IReadOnlyDictionary<string, int> Int8Operators { get; }

    /// <summary>The Conv / Gemm / MatMul nodes left in fp32, with the reason.</summary>
    public IReadOnlyList<Fp32Node> Fp32WeightedNodes { get; }

    /// <summary>Every quantized activation with its calibrated range and parameters.</summary>
    public IReadOnlyList<ActivationQuantization> Activations { get; }

    /// <summary>The frames the fp32 model ran on during calibration.</summary>
    public int CalibrationFrames { get; }

    /// <summary>The options used.</summary>
    public QuantizationOptions Options { get; }

    /// <summary>One line: the int8 operators, the fp32 weighted ones and the calibration.</summary>
    public string Summary =>
        $"int8: {string.Join(", ", Int8Operators.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}"))}; " +
        $"fp32: {(Fp32WeightedNodes.Count == 0 ? "no weighted node" : string.Join(", ", Fp32WeightedNodes.GroupBy(n => n.OpType).Select(g => $"{g.Count()} {g.Key}")))} " +
        $"(and every operator without an int8 kernel); calibration {Options.MethodName} on {CalibrationFrames} frames";
}
