using System.Runtime.InteropServices;
using Emotion.Core;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Google.Protobuf;

namespace Emotion.Onnx.Export.Precision;

/// <summary>
/// Converts a float32 ONNX model to float16, the way onnxconverter-common's <c>convert_float_to_float16</c> does with
/// <c>keep_io_types=True</c>:
/// <list type="bullet">
/// <item>float32 initializers and Constant values become float16 (rounded to nearest, clamped to +-65504, the largest
/// finite float16), so the file's weights take half the bytes;</item>
/// <item>every float32 tensor between nodes becomes float16: <c>Cast(to=FLOAT)</c> becomes <c>Cast(to=FLOAT16)</c>,
/// value_info entries are retyped, ConstantOfShape gets a float16 value;</item>
/// <item>the graph's float32 inputs and outputs stay float32 behind Cast nodes (<see cref="Float16Options.KeepIoTypes"/>),
/// so callers, <c>Emotion.Onnx.EmotionPredictor</c> included, use the model unchanged;</item>
/// <item>operators that must compute in float32 (<see cref="Float16Options.KeepFloat32Operators"/>, and any operator outside
/// the default domain) keep float32 inputs and outputs behind Casts.</item>
/// </list>
/// Which tensors are float is propagated through the graph in node order (an output has its first input's type, except
/// for operators with fixed output types such as Shape, Cast or the index output of MaxPool). ONNX Runtime's CPU provider
/// has float16 kernels for few operators; it inserts Casts around the others (its InsertCastTransformer), so the model runs
/// on the CPU too, but gains speed only on GPUs. The model keeps its metadata and gains
/// <see cref="OnnxMetadataKeys.Precision"/> = <see cref="OnnxMetadataKeys.PrecisionFloat16"/>. See docs/onnx-export.md, "Float16".
/// </summary>
public static class Float16Converter
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Float16Type = (int)TensorProto.Types.DataType.Float16;

    /// <summary>The largest finite float16 value; larger float32 weights are clamped to it rather than becoming infinite.</summary>
    public const float MaxFloat16 = 65504f;

    private static readonly HashSet<string> NonFloatOutputs = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "NonZero", "ArgMax", "ArgMin", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
        "Not", "And", "Or", "Xor", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> Quantized = new(StringComparer.Ordinal)
    {
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger",
    };

    /// <summary>Returns a float16 copy of <paramref name="model"/> (not modified).</summary>
    /// <exception cref="ArgumentException">The model has no graph.</exception>
    /// <exception cref="NotSupportedException">
    /// The model is quantized or already float16, has no float32 tensor, has control-flow subgraphs (If, Loop, Scan), a
    /// float initializer that is a graph output, or an operator without inputs whose output type is not known here.
    /// </exception>
    public static ModelProto Convert(ModelProto model, Float16Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= Float16Options.Default;
        ArgumentNullException.ThrowIfNull(options.KeepFloat32Operators);
        var source = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        string? precision = model.MetadataProps.FirstOrDefault(p => p.Key == OnnxMetadataKeys.Precision)?.Value;
        if (precision is OnnxMetadataKeys.PrecisionFloat16 or OnnxMetadataKeys.PrecisionInt8
            || source.Node.Any(n => Quantized.Contains(n.OpType)))
            throw new NotSupportedException($"The model is already {(precision == OnnxMetadataKeys.PrecisionFloat16 ? "float16" : "quantized")}; convert the float32 export instead.");
        if (source.Node.FirstOrDefault(n => n.Attribute.Any(a => a.G is not null)) is { } control)
            throw new NotSupportedException($"Node '{control.Name}' ({control.OpType}) has a subgraph; float16 conversion of control flow is not supported.");

        var converted = model.Clone();
        var graph = converted.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var isFloat = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
            if (input.Type?.TensorType?.ElemType == FloatType) isFloat.Add(input.Name);
        foreach (var t in graph.Initializer)
            if (t.DataType == FloatType) isFloat.Add(t.Name);
        foreach (var node in graph.Node)
        {
            var floats = FloatOutputs(node, isFloat);
            for (int i = 0; i < node.Output.Count; i++)
                if (floats[i] && node.Output[i].Length > 0) isFloat.Add(node.Output[i]);
        }
        if (isFloat.Count == 0) throw new NotSupportedException("The model has no float32 tensor to convert.");
        if (graph.Output.FirstOrDefault(o => initializers.TryGetValue(o.Name, out var t) && t.DataType == FloatType) is { } constantOutput)
            throw new NotSupportedException($"Graph output '{constantOutput.Name}' is a float initializer; float16 conversion does not support constant outputs.");

        bool Kept(NodeProto n) => options.KeepFloat32Operators.Contains(n.OpType) || n.Domain is not ("" or "ai.onnx");

        // Float initializers read only by float32 operators stay float32; all others become float16.
        var readers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (string input in node.Input)
                if (input.Length > 0) (readers.TryGetValue(input, out var list) ? list : readers[input] = []).Add(node);
        var stayFloat32 = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer.Where(t => t.DataType == FloatType))
        {
            if (readers.TryGetValue(t.Name, out var r) && r.All(Kept)) stayFloat32.Add(t.Name);
            else ToFloat16(t);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in graph.Input) names.Add(v.Name);
        foreach (var t in graph.Initializer) names.Add(t.Name);
        foreach (var n in graph.Node) foreach (string o in n.Output) names.Add(o);
        string Fresh(string hint)
        {
            string name = hint;
            for (int i = 1; !names.Add(name); i++) name = $"{hint}_{i}";
            return name;
        }

        var head = new List<NodeProto>();
        var tail = new List<NodeProto>();
        var readAs = new Dictionary<string, string>(StringComparer.Ordinal);   // value -> the float16 name nodes read
        var writeAs = new Dictionary<string, string>(StringComparer.Ordinal);  // graph output -> the float16 name its producer writes
        var initializerNames = new HashSet<string>(initializers.Keys, StringComparer.Ordinal);
        if (options.KeepIoTypes)
        {
            foreach (var input in graph.Input.Where(i => isFloat.Contains(i.Name) && !initializerNames.Contains(i.Name)))
            {
                string half = Fresh(input.Name + "_fp16");
                head.Add(CastNode(input.Name, half, Float16Type, Fresh("cast_in_" + input.Name)));
                readAs[input.Name] = half;
            }
            var produced = new HashSet<string>(graph.Node.SelectMany(n => n.Output), StringComparer.Ordinal);
            foreach (var output in graph.Output.Where(o => isFloat.Contains(o.Name) && produced.Contains(o.Name)))
            {
                string half = Fresh(output.Name + "_fp16");
                writeAs[output.Name] = half;
                readAs[output.Name] = half;
                tail.Add(CastNode(half, output.Name, FloatType, Fresh("cast_out_" + output.Name)));
            }
        }
        else
        {
            foreach (var v in graph.Input.Concat(graph.Output))
                if (v.Type?.TensorType is { ElemType: FloatType } tensor) tensor.ElemType = Float16Type;
        }

        var nodes = new List<NodeProto>(head);
        foreach (var node in graph.Node)
        {
            var floats = FloatOutputs(node, isFloat);
            if (Kept(node))
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    string input = node.Input[i];
                    if (input.Length == 0 || !isFloat.Contains(input) || stayFloat32.Contains(input) || (options.KeepIoTypes && IsGraphInput(graph, input))) continue;
                    string full = Fresh($"{input}_fp32_for_{node.OpType}");
                    nodes.Add(CastNode(readAs.GetValueOrDefault(input, input), full, FloatType, Fresh("cast_fp32_" + input)));
                    node.Input[i] = full;
                }
                nodes.Add(node);
                for (int i = 0; i < node.Output.Count; i++)
                {
                    string output = node.Output[i];
                    if (output.Length == 0 || !floats[i]) continue;
                    string full = Fresh(output + "_fp32");
                    node.Output[i] = full;
                    nodes.Add(CastNode(full, writeAs.GetValueOrDefault(output, output), Float16Type, Fresh("cast_fp16_" + output)));
                }
                continue;
            }

            for (int i = 0; i < node.Input.Count; i++)
                if (readAs.TryGetValue(node.Input[i], out string? half)) node.Input[i] = half;
            for (int i = 0; i < node.Output.Count; i++)
                if (writeAs.TryGetValue(node.Output[i], out string? half)) node.Output[i] = half;
            RetypeAttributes(node);
            nodes.Add(node);
        }
        nodes.AddRange(tail);
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        foreach (var info in graph.ValueInfo)
            if (isFloat.Contains(info.Name) && info.Type?.TensorType is { ElemType: FloatType } tensor) tensor.ElemType = Float16Type;

        var entry = converted.MetadataProps.FirstOrDefault(p => p.Key == OnnxMetadataKeys.Precision);
        if (entry is null) converted.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadataKeys.Precision, Value = OnnxMetadataKeys.PrecisionFloat16 });
        else entry.Value = OnnxMetadataKeys.PrecisionFloat16;
        return converted;
    }

    /// <summary>Reads a float32 model file, converts it to float16 and writes the result atomically to <paramref name="outputPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    /// <exception cref="InvalidDataException">The input file is not an ONNX model.</exception>
    public static ModelProto ConvertFile(string inputPath, string outputPath, Float16Options? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var result = Convert(OnnxModelFile.Load(inputPath), options);
        OnnxModelFile.Save(result, outputPath);
        return result;
    }

    /// <summary>Reads the values of a float16 tensor (from <c>raw_data</c>, or the bit patterns in <c>int32_data</c>) as float32.</summary>
    /// <exception cref="ArgumentException">The tensor is not float16.</exception>
    public static float[] ReadFloat16s(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != Float16Type)
            throw new ArgumentException($"Tensor '{tensor.Name}' has data type {tensor.DataType}; expected FLOAT16 ({Float16Type}).", nameof(tensor));
        if (tensor.RawData.Length == 0) return [.. tensor.Int32Data.Select(bits => (float)BitConverter.UInt16BitsToHalf((ushort)bits))];
        return [.. MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span).ToArray().Select(h => (float)h)];
    }

    /// <summary>Which outputs of <paramref name="node"/> are float tensors, given which values are.</summary>
    private static bool[] FloatOutputs(NodeProto node, HashSet<string> isFloat)
    {
        var result = new bool[node.Output.Count];
        bool FirstInput() => node.Input.FirstOrDefault(i => i.Length > 0) is { } first
            ? isFloat.Contains(first)
            : throw new NotSupportedException($"Node '{node.Name}' ({node.OpType}) has no inputs; its output type is not known to the float16 converter.");
        bool all;
        switch (node.OpType)
        {
            case "Cast":
                all = node.Attribute.FirstOrDefault(a => a.Name == "to")?.I == FloatType;
                break;
            case "CastLike":
                all = node.Input.Count > 1 && isFloat.Contains(node.Input[1]);
                break;
            case "Constant":
                var value = node.Attribute.FirstOrDefault(a => a.Name.StartsWith("value", StringComparison.Ordinal));
                all = value is not null && (value.Name is "value_float" or "value_floats" || (value.Name == "value" && value.T?.DataType == FloatType));
                break;
            case "ConstantOfShape":
                var fill = node.Attribute.FirstOrDefault(a => a.Name == "value");
                all = fill?.T is null || fill.T.DataType == FloatType;
                break;
            case "Where":
                all = node.Input.Count > 1 && isFloat.Contains(node.Input[1]);
                break;
            case "MaxPool" or "TopK" or "Dropout" or "Unique":
                if (result.Length > 0) result[0] = FirstInput();
                return result;
            default:
                all = !NonFloatOutputs.Contains(node.OpType) && FirstInput();
                break;
        }
        Array.Fill(result, all);
        return result;
    }

    private static bool IsGraphInput(GraphProto graph, string name) => graph.Input.Any(i => i.Name == name);

    /// <summary>Float32 type attributes and constant values of a converted node become float16.</summary>
    private static void RetypeAttributes(NodeProto node)
    {
        switch (node.OpType)
        {
            case "Cast":
                var to = node.Attribute.First(a => a.Name == "to");
                if (to.I == FloatType) to.I = Float16Type;
                break;
            case "Constant":
                for (int i = 0; i < node.Attribute.Count; i++)
                {
                    var a = node.Attribute[i];
                    if (a.Name == "value" && a.T?.DataType == FloatType) ToFloat16(a.T);
                    else if (a.Name is "value_float" or "value_floats")
                    {
                        float[] values = a.Name == "value_float" ? [a.F] : [.. a.Floats];
                        var tensor = a.Name == "value_float" ? OnnxTensors.Float("value", values) : OnnxTensors.Float("value", values, values.Length);
                        ToFloat16(tensor);
                        node.Attribute[i] = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
                    }
                }
                break;
            case "ConstantOfShape":
                var fill = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (fill?.T is null)
                {
                    var zero = OnnxTensors.Float("value", [0f], 1);
                    ToFloat16(zero);
                    node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = zero });
                }
                else if (fill.T.DataType == FloatType) ToFloat16(fill.T);
                break;
        }
    }

    /// <summary>Rewrites a float32 tensor in place as float16 (raw little-endian data), clamping to +-<see cref="MaxFloat16"/>.</summary>
    private static void ToFloat16(TensorProto tensor)
    {
        float[] values = OnnxTensors.ReadFloats(tensor);
        var halves = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
            halves[i] = float.IsNaN(values[i]) ? Half.NaN : (Half)Math.Clamp(values[i], -MaxFloat16, MaxFloat16);
        tensor.FloatData.Clear();
        tensor.DataType = Float16Type;
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan()));
    }

    private static NodeProto CastNode(string input, string output, int to, string name)
    {
        var node = new NodeProto { Name = name, OpType = "Cast" };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return node;
    }
}
