using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// Decides, node by node in topological order, what runs in int8: weighted operators (Conv, Gemm, MatMul with constant
/// weights), and the operators between them that ONNX Runtime has int8 versions of when their input is already
/// quantized (Add → QLinearAdd, MaxPool on the quantized values, and GlobalAveragePool / AveragePool → QLinear* when their
/// result feeds another int8 operator). A Relu
/// (or Clip from 0) right after a quantized operator is folded into that operator's output quantization: the output
/// is quantized with the Relu's range, whose minimum 0 is the zero point, so the saturation of QuantizeLinear is the
/// Relu. The output layers after the per-frame backbone (downstream of the exporter's <c>sequence</c> tensor or of a
/// recurrent operator) stay fp32 unless <see cref="QuantizationOptions.QuantizeHead"/>.
/// </summary>
internal sealed class QdqPlan
{
    internal enum Role { Fp32, Weighted, Binary, Unary, SameParams, Folded }

    /// <summary>A weighted node's constant inputs: the weight, its channel axis and the optional bias.</summary>
    internal sealed record WeightInfo(string Weight, int Axis, string? Bias);

    private static readonly HashSet<string> Recurrent = new(StringComparer.Ordinal) { "GRU", "LSTM", "RNN" };

    public required Role[] Roles { get; init; }
    public required string?[] RenamedOutput { get; init; }
    public required Dictionary<int, WeightInfo> Weights { get; init; }
    public required HashSet<string> Quantized { get; init; }
    public required Dictionary<string, string> Inherits { get; init; }
    public required List<string> Calibrate { get; init; }
    public required List<(string Node, string OpType, string Reason)> Fp32Weighted { get; init; }
    public required Dictionary<string, TensorProto> Initializers { get; init; }

    /// <summary>The activation input slots of a node in int8 (each gets its own DequantizeLinear).</summary>
    public static int[] ActivationSlots(Role role) => role switch
    {
        Role.Weighted or Role.Unary or Role.SameParams => [0],
        Role.Binary => [0, 1],
        _ => [],
    };

    public static QdqPlan Build(GraphProto graph, QuantizationOptions options)
    {
        var nodes = graph.Node;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var graphOutputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var input in nodes[i].Input)
                if (input.Length > 0)
                {
                    if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                    list.Add(i);
                }
        var excluded = new HashSet<string>(options.Fp32Nodes, StringComparer.Ordinal);
        var head = HeadNodes(nodes, consumers);

        var roles = new Role[nodes.Count];
        var renamed = new string?[nodes.Count];
        var weights = new Dictionary<int, WeightInfo>();
        var quantized = new HashSet<string>(StringComparer.Ordinal);
        var inherits = new Dictionary<string, string>(StringComparer.Ordinal);
        var fp32Weighted = new List<(string, string, string)>();

        bool IsActivation(string name) => name.Length > 0 && !initializers.ContainsKey(name);
        bool Excluded(NodeProto n) => excluded.Contains(n.Name) || n.Output.Any(excluded.Contains);
        bool InQuantizableRegion(int i) => !Recurrent.Contains(nodes[i].OpType) && (options.QuantizeHead || !head.Contains(i)) && !Excluded(nodes[i]);

        // A pooling whose result only feeds fp32 operators stays fp32 (it is cheap, and quantizing its output would only
        // add rounding error to the features the head reads); one that feeds an int8-capable operator is quantized.
        bool FeedsInt8(int i) => consumers.TryGetValue(nodes[i].Output[0], out var users) && users.Any(u =>
            InQuantizableRegion(u) && (nodes[u].OpType is "Add" or "MaxPool" or "GlobalAveragePool" or "AveragePool"
                                       || options.WeightedOperators.Contains(nodes[u].OpType)));

        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (roles[i] == Role.Folded) continue;
            bool weightedType = node.OpType is "Conv" or "Gemm" or "MatMul";
            if (!InQuantizableRegion(i))
            {
                if (weightedType && options.WeightedOperators.Contains(node.OpType))
                    fp32Weighted.Add((Describe(node), node.OpType,
                        Excluded(node) ? "listed in Fp32Nodes" : "output layer (after the backbone; QuantizeHead is off)"));
                continue;
            }
            var role = Role.Fp32;
            if (weightedType)
            {
                if (!options.WeightedOperators.Contains(node.OpType)) continue;
                var (info, reason) = WeightOf(node, initializers);
                if (info is null || !IsActivation(node.Input[0]))
                {
                    fp32Weighted.Add((Describe(node), node.OpType, reason ?? "its first input is a constant"));
                    continue;
                }
                weights[i] = info;
                role = Role.Weighted;
            }
            else if (node.OpType == "Add" && node.Input.Count == 2 && IsActivation(node.Input[0]) && IsActivation(node.Input[1])
                     && (quantized.Contains(node.Input[0]) || quantized.Contains(node.Input[1])))
                role = Role.Binary;
            else if (node.OpType is "GlobalAveragePool" or "AveragePool" && quantized.Contains(node.Input[0]) && FeedsInt8(i))
                role = Role.Unary;
            else if (node.OpType == "MaxPool" && quantized.Contains(node.Input[0]) && (node.Output.Count == 1 || node.Output[1].Length == 0))
                role = Role.SameParams;
            if (role == Role.Fp32) continue;

            string output = node.Output[0];
            if (graphOutputs.Contains(output))
            {
                if (role == Role.Weighted) fp32Weighted.Add((Describe(node), node.OpType, "its output is a graph output"));
                weights.Remove(i);
                continue;
            }
            roles[i] = role;
            foreach (int slot in ActivationSlots(role)) quantized.Add(node.Input[slot]);
            if (role == Role.SameParams)
            {
                quantized.Add(output);
                inherits[output] = node.Input[0];
                continue;
            }
            // Fold a following Relu / Clip(0, hi) into the output quantization.
            if (consumers.TryGetValue(output, out var users) && users.Count == 1)
            {
                int c = users[0];
                var next = nodes[c];
                if (IsFoldableActivation(next, initializers) && next.Input[0] == output && InQuantizableRegion(c) && !graphOutputs.Contains(next.Output[0]))
                {
                    roles[c] = Role.Folded;
                    renamed[i] = next.Output[0];
                    output = next.Output[0];
                }
            }
            quantized.Add(output);
        }

        var calibrate = quantized.Where(t => !inherits.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        return new QdqPlan
        {
            Roles = roles,
            RenamedOutput = renamed,
            Weights = weights,
            Quantized = quantized,
            Inherits = inherits,
            Calibrate = calibrate,
            Fp32Weighted = fp32Weighted,
            Initializers = initializers,
        };
    }

    internal static string Describe(NodeProto node) => node.Output.Count > 0 && node.Output[0].Length > 0 ? $"{node.Name} ({node.Output[0]})" : node.Name;

    /// <summary>Nodes downstream of the exporter's per-frame-to-sequence boundary (<c>sequence</c>) or of a recurrent operator.</summary>
    private static HashSet<int> HeadNodes(IList<NodeProto> nodes, Dictionary<string, List<int>> consumers)
    {
        var start = new List<string>();
        foreach (var n in nodes)
        {
            if (n.Output.Contains("sequence")) start.Add("sequence");
            if (Recurrent.Contains(n.OpType)) start.AddRange(n.Output.Where(o => o.Length > 0));
        }
        var head = new HashSet<int>();
        var queue = new Queue<string>(start);
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            if (!consumers.TryGetValue(queue.Dequeue(), out var users)) continue;
            foreach (int u in users)
            {
                if (!head.Add(u)) continue;
                foreach (var o in nodes[u].Output)
                    if (o.Length > 0 && seen.Add(o)) queue.Enqueue(o);
            }
        }
        return head;
    }

    private static bool IsFoldableActivation(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (node.OpType == "Relu") return true;
        if (node.OpType != "Clip" || node.Input.Count < 2 || node.Input[1].Length == 0) return false;
        if (!initializers.TryGetValue(node.Input[1], out var low) || low.DataType != (int)TensorProto.Types.DataType.Float) return false;
        var values = OnnxTensors.ReadFloats(low);
        return values.Length == 1 && values[0] == 0f;
    }

    /// <summary>The constant weight (and bias) of a Conv, Gemm or MatMul, or why it cannot be quantized.</summary>
    private static (WeightInfo? Info, string? Reason) WeightOf(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var w) || w.DataType != (int)TensorProto.Types.DataType.Float)
            return (null, "its weight is not a float constant");
        string? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        long channels;
        int axis;
        switch (node.OpType)
        {
            case "Conv":
                if (w.Dims.Count < 3) return (null, $"its weight has rank {w.Dims.Count}");
                axis = 0;
                break;
            case "Gemm":
                if (w.Dims.Count != 2) return (null, $"its weight has rank {w.Dims.Count}");
                if (IntAttribute(node, "transA", 0) != 0) return (null, "it transposes its input (transA)");
                if (bias is not null && FloatAttribute(node, "beta", 1f) != 1f) return (null, "its bias is scaled (beta != 1)");
                axis = IntAttribute(node, "transB", 0) != 0 ? 0 : 1;
                break;
            default:
                if (w.Dims.Count != 2) return (null, $"its weight has rank {w.Dims.Count}");
                axis = 1;
                break;
        }
        channels = w.Dims[axis];
        if (bias is not null)
        {
            if (!initializers.TryGetValue(bias, out var b) || b.DataType != (int)TensorProto.Types.DataType.Float)
                return (null, "its bias is not a float constant");
            if (b.Dims.Count != 1 || b.Dims[0] != channels) return (null, $"its bias has shape [{string.Join(", ", b.Dims)}], not [{channels}]");
        }
        return (new WeightInfo(node.Input[1], axis, bias), null);
    }

    private static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private static float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
}
