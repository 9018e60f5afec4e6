using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;

namespace Emotion.Onnx.Export.Quantization;

/// <summary>
/// Writes the QDQ graph of a <see cref="QdqPlan"/>: after the producer of every quantized activation a
/// <c>QuantizeLinear</c> (scale, zero point from the calibrated range), then one <c>DequantizeLinear</c> for each int8
/// consumer (ONNX Runtime's fusions want a DQ per node group) and one shared DQ for the fp32 consumers; weights become
/// int8 initializers behind a per-channel <c>DequantizeLinear</c> (axis = output channel), biases int32 with scale
/// <c>scale_x * scale_w[c]</c>. ONNX Runtime's QDQ transformers then fuse DQ → op → Q into QLinearConv, QGemm,
/// QLinearMatMul, QLinearAdd, QLinearGlobalAveragePool, and drop the pairs around MaxPool.
/// </summary>
internal sealed class QdqRewriter
{
    private readonly GraphProto source;
    private readonly QdqPlan plan;
    private readonly QuantizedActivationType type;
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly HashSet<string> nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Scale, string ZeroPoint, QuantizationParameters P)> parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> quantizedName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> sharedDequantized = new(StringComparer.Ordinal);
    private readonly HashSet<string> needsShared = new(StringComparer.Ordinal);
    private readonly List<NodeProto> output = [];
    private readonly List<TensorProto> added = [];

    private QdqRewriter(GraphProto source, QdqPlan plan, QuantizedActivationType type)
    {
        this.source = source;
        this.plan = plan;
        this.type = type;
        foreach (var i in source.Input) names.Add(i.Name);
        foreach (var t in source.Initializer) names.Add(t.Name);
        foreach (var n in source.Node)
        {
            foreach (var o in n.Output) if (o.Length > 0) names.Add(o);
            if (n.Name.Length > 0) nodeNames.Add(n.Name);
        }
    }

    /// <summary>The parameters chosen for every quantized activation.</summary>
    public IReadOnlyDictionary<string, (string Scale, string ZeroPoint, QuantizationParameters P)> Parameters => parameters;

    public static (GraphProto Graph, QdqRewriter Rewriter) Rewrite(GraphProto source, QdqPlan plan,
        IReadOnlyDictionary<string, (double Min, double Max)> ranges, QuantizedActivationType type)
    {
        var r = new QdqRewriter(source, plan, type);
        return (r.Run(ranges), r);
    }

    private GraphProto Run(IReadOnlyDictionary<string, (double Min, double Max)> ranges)
    {
        foreach (var t in plan.Calibrate)
        {
            var (min, max) = ranges[t];
            var p = QuantizationParameters.FromRange(min, max, type);
            string scale = AddInitializer(OnnxTensors.Float(Fresh(t + "_scale"), [p.Scale]));
            string zero = AddInitializer(type == QuantizedActivationType.Int8
                ? OnnxTensors.Int8(Fresh(t + "_zero_point"), [(sbyte)p.ZeroPoint])
                : OnnxTensors.UInt8(Fresh(t + "_zero_point"), [(byte)p.ZeroPoint]));
            parameters[t] = (scale, zero, p);
        }

        // Which quantized tensors also feed an fp32 consumer (they need a shared DequantizeLinear).
        var nodes = source.Node;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (plan.Roles[i] == QdqPlan.Role.Folded) continue;
            var slots = QdqPlan.ActivationSlots(plan.Roles[i]);
            for (int k = 0; k < nodes[i].Input.Count; k++)
                if (plan.Quantized.Contains(nodes[i].Input[k]) && Array.IndexOf(slots, k) < 0) needsShared.Add(nodes[i].Input[k]);
        }
        foreach (var o in source.Output) if (plan.Quantized.Contains(o.Name)) needsShared.Add(o.Name);

        foreach (var input in source.Input)
            if (plan.Quantized.Contains(input.Name)) EmitQuantize(input.Name);

        for (int i = 0; i < nodes.Count; i++)
        {
            var role = plan.Roles[i];
            if (role == QdqPlan.Role.Folded) continue;
            var node = nodes[i].Clone();
            if (plan.RenamedOutput[i] is { } renamed) node.Output[0] = renamed;
            var slots = QdqPlan.ActivationSlots(role);
            for (int k = 0; k < node.Input.Count; k++)
            {
                string t = node.Input[k];
                if (!plan.Quantized.Contains(t)) continue;
                node.Input[k] = Array.IndexOf(slots, k) >= 0 ? Dequantize(t, Fresh(t + "_dequantized")) : sharedDequantized[t];
            }
            if (role == QdqPlan.Role.Weighted) QuantizeWeights(node, plan.Weights[i], parameters[nodes[i].Input[0]].P.Scale);
            output.Add(node);
            foreach (var o in node.Output)
                if (o.Length > 0 && plan.Quantized.Contains(o)) EmitQuantize(o);
        }

        var graph = source.Clone();
        graph.Node.Clear();
        graph.Node.Add(output);
        graph.Initializer.Add(added);
        // Drop the float weights that only the quantized nodes used, and value_info of tensors that no longer exist.
        var used = new HashSet<string>(output.SelectMany(n => n.Input), StringComparer.Ordinal);
        foreach (var o in graph.Output) used.Add(o.Name);
        foreach (var i in graph.Input) used.Add(i.Name);
        var keep = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.Add(keep);
        var produced = new HashSet<string>(output.SelectMany(n => n.Output), StringComparer.Ordinal);
        var info = graph.ValueInfo.Where(v => produced.Contains(v.Name)).ToList();
        graph.ValueInfo.Clear();
        graph.ValueInfo.Add(info);
        return graph;
    }

    private void EmitQuantize(string tensor)
    {
        var (scale, zero, _) = ParametersOf(tensor);
        string q = Fresh(tensor + "_quantized");
        output.Add(Node("QuantizeLinear", [tensor, scale, zero], q));
        quantizedName[tensor] = q;
        if (needsShared.Contains(tensor)) sharedDequantized[tensor] = Dequantize(tensor, Fresh(tensor + "_dequantized"));
    }

    private string Dequantize(string tensor, string name)
    {
        var (scale, zero, _) = ParametersOf(tensor);
        output.Add(Node("DequantizeLinear", [quantizedName[tensor], scale, zero], name));
        return name;
    }

    private (string Scale, string ZeroPoint, QuantizationParameters P) ParametersOf(string tensor)
    {
        if (parameters.TryGetValue(tensor, out var p)) return p;
        // MaxPool output: the parameters of its input (resolved when first needed, inputs come first).
        p = ParametersOf(plan.Inherits[tensor]);
        parameters[tensor] = p;
        return p;
    }

    private void QuantizeWeights(NodeProto node, QdqPlan.WeightInfo info, float inputScale)
    {
        var weight = plan.Initializers[info.Weight];
        var dims = weight.Dims.ToArray();
        var q = WeightQuantization.PerChannel(OnnxTensors.ReadFloats(weight), dims, info.Axis);
        string values = AddInitializer(OnnxTensors.Int8(Fresh(info.Weight + "_quantized"), q.Values, dims));
        string scales = AddInitializer(OnnxTensors.Float(Fresh(info.Weight + "_scale"), q.Scales, q.Scales.Length));
        string zeros = AddInitializer(OnnxTensors.Int8(Fresh(info.Weight + "_zero_point"), new sbyte[q.Scales.Length], q.Scales.Length));
        node.Input[1] = Add(Node("DequantizeLinear", [values, scales, zeros], Fresh(info.Weight + "_dequantized"), OnnxAttribute.Int("axis", info.Axis)));
        if (info.Bias is null) return;
        var (b, bScales) = WeightQuantization.Bias(OnnxTensors.ReadFloats(plan.Initializers[info.Bias]), inputScale, q.Scales);
        string bValues = AddInitializer(OnnxTensors.Int32(Fresh(info.Bias + "_quantized"), b, b.Length));
        string bScale = AddInitializer(OnnxTensors.Float(Fresh(info.Bias + "_scale"), bScales, bScales.Length));
        node.Input[2] = Add(Node("DequantizeLinear", [bValues, bScale], Fresh(info.Bias + "_dequantized"), OnnxAttribute.Int("axis", 0)));
    }

    private string Add(NodeProto node)
    {
        output.Add(node);
        return node.Output[0];
    }

    private NodeProto Node(string op, IEnumerable<string> inputs, string result, params AttributeProto[] attributes)
    {
        string name = op + "_" + result;
        for (int i = 1; !nodeNames.Add(name); i++) name = $"{op}_{result}_{i}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(result);
        node.Attribute.Add(attributes);
        return node;
    }

    private string AddInitializer(TensorProto tensor)
    {
        added.Add(tensor);
        return tensor.Name;
    }

    private string Fresh(string hint)
    {
        if (names.Add(hint)) return hint;
        for (int i = 1; ; i++)
            if (names.Add($"{hint}_{i}")) return $"{hint}_{i}";
    }
}
