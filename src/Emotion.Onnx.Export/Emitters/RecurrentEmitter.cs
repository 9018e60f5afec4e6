using Emotion.Onnx.Export.Graph;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// Emits TorchSharp's <c>GRU</c> and <c>LSTM</c> as chained ONNX <c>GRU</c> / <c>LSTM</c> nodes (one per layer,
/// <c>direction="bidirectional"</c> for two directions, sequence-first layout 0). Handles the known differences:
/// PyTorch orders GRU gates (r, z, n) where ONNX expects (z, r, h) and its GRU applies the reset gate after the hidden
/// matrix product (ONNX <c>linear_before_reset=1</c>); PyTorch orders LSTM gates (i, f, g, o) where ONNX expects
/// (i, o, f, c); ONNX wants <c>W [dirs, G*hidden, in]</c>, <c>R [dirs, G*hidden, hidden]</c> and
/// <c>B [dirs, 2*G*hidden] = concat(W_bias, R_bias)</c>. Inter-layer dropout is a training-time feature and is ignored.
/// </summary>
public static class RecurrentEmitter
{
    /// <summary>The structure of a recurrent module, read from its parameters.</summary>
    /// <param name="IsLstm">True for an LSTM, false for a GRU.</param>
    /// <param name="InputSize">Features per time step.</param>
    /// <param name="HiddenSize">Hidden units per direction.</param>
    /// <param name="Layers">Stacked layers.</param>
    /// <param name="Directions">1, or 2 for a bidirectional module.</param>
    public sealed record Spec(bool IsLstm, long InputSize, long HiddenSize, int Layers, int Directions)
    {
        /// <summary>Layers x directions: the first axis of the state tensors.</summary>
        public long StateLayers => Layers * Directions;

        /// <summary>Features per step of the output: directions x hidden.</summary>
        public long OutputSize => Directions * HiddenSize;
    }

    /// <summary>The names the emitted recurrence produced.</summary>
    /// <param name="Output">The per-step output, batch-first <c>[B, T, directions*hidden]</c>.</param>
    /// <param name="HiddenOut">The final hidden state <c>[layers*directions, B, hidden]</c>.</param>
    /// <param name="CellOut">The final LSTM cell state (same shape), or null for a GRU.</param>
    public sealed record Result(string Output, string HiddenOut, string? CellOut);

    /// <summary>Whether <paramref name="module"/> is a recurrent module this emitter handles (GRU or LSTM).</summary>
    public static bool IsRecurrent(nn.Module module) => module is GRU or LSTM;

    /// <summary>Reads the structure of a GRU or LSTM from its parameter names and shapes.</summary>
    /// <exception cref="NotSupportedException">The module is neither, or uses projections (<c>proj_size</c>).</exception>
    public static Spec Describe(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        bool lstm = module switch
        {
            LSTM => true,
            GRU => false,
            _ => throw new NotSupportedException($"Module '{path}' ({module.GetType().Name}) is not a GRU or LSTM."),
        };
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (parameters.Keys.Any(k => k.StartsWith("weight_hr", StringComparison.Ordinal)))
            throw new NotSupportedException($"LSTM '{path}' uses projections (proj_size), which ONNX's LSTM does not support.");
        if (!parameters.TryGetValue("weight_ih_l0", out var w0) || !parameters.TryGetValue("weight_hh_l0", out var r0))
            throw new NotSupportedException($"Recurrent module '{path}' has no weight_ih_l0 / weight_hh_l0 parameters.");
        int layers = 0;
        while (parameters.ContainsKey($"weight_ih_l{layers}")) layers++;
        int directions = parameters.ContainsKey("weight_ih_l0_reverse") ? 2 : 1;
        return new Spec(lstm, w0.shape[1], r0.shape[1], layers, directions);
    }

    /// <summary>
    /// Emits the recurrence on a time-major input <paramref name="input"/> <c>[T, B, InputSize]</c>.
    /// </summary>
    /// <param name="e">The module emitter (graph and constants).</param>
    /// <param name="module">The GRU or LSTM.</param>
    /// <param name="input">The time-major input value name.</param>
    /// <param name="initialHidden">An existing <c>[layers*dirs, B, hidden]</c> value to start from, or null for zeros.</param>
    /// <param name="initialCell">The LSTM's initial cell state, or null for zeros.</param>
    /// <param name="hiddenOutName">The name to give the final hidden state.</param>
    /// <param name="cellOutName">The name to give the final LSTM cell state.</param>
    /// <param name="path">The module's path (initializer name prefix, error messages).</param>
    public static Result Emit(OnnxModuleEmitter e, nn.Module module, string input, string? initialHidden, string? initialCell,
        string hiddenOutName, string cellOutName, string path)
    {
        ArgumentNullException.ThrowIfNull(e);
        var spec = Describe(module, path);
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int gates = spec.IsLstm ? 4 : 3;
        // ONNX gate block j takes PyTorch gate block order[j].
        int[] order = spec.IsLstm ? [0, 3, 1, 2] : [1, 0, 2];
        long h = spec.HiddenSize;
        string x = input;
        var hiddenStates = new List<string>();
        var cellStates = new List<string>();
        string y = "";
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            long inSize = layer == 0 ? spec.InputSize : spec.OutputSize;
            var w = new float[spec.Directions * gates * h * inSize];
            var r = new float[spec.Directions * gates * h * h];
            var b = new float[spec.Directions * 2 * gates * h];
            for (int dir = 0; dir < spec.Directions; dir++)
            {
                string suffix = $"l{layer}{(dir == 1 ? "_reverse" : "")}";
                CopyGates(Get(parameters, "weight_ih_" + suffix, path), order, h, inSize, w.AsSpan(dir * (int)(gates * h * inSize)), path);
                CopyGates(Get(parameters, "weight_hh_" + suffix, path), order, h, h, r.AsSpan(dir * (int)(gates * h * h)), path);
                var biasSpan = b.AsSpan(dir * (int)(2 * gates * h));
                if (parameters.TryGetValue("bias_ih_" + suffix, out var bi)) CopyGates(bi, order, h, 1, biasSpan[..(int)(gates * h)], path);
                if (parameters.TryGetValue("bias_hh_" + suffix, out var bh)) CopyGates(bh, order, h, 1, biasSpan[(int)(gates * h)..], path);
            }
            string prefix = $"{path}.l{layer}";
            string wName = e.Initializer(prefix + ".W", w, spec.Directions, gates * h, inSize);
            string rName = e.Initializer(prefix + ".R", r, spec.Directions, gates * h, h);
            string bName = e.Initializer(prefix + ".B", b, spec.Directions, 2 * gates * h);
            string h0 = initialHidden is null ? "" : LayerState(e, initialHidden, layer, spec, prefix + ".h0");
            string c0 = initialCell is null || !spec.IsLstm ? "" : LayerState(e, initialCell, layer, spec, prefix + ".c0");
            bool last = layer == spec.Layers - 1;
            string yName = e.Graph.FreshName(prefix + ".Y");
            string hName = last && spec.Layers == 1 ? hiddenOutName : e.Graph.FreshName(prefix + ".Y_h");
            string cName = last && spec.Layers == 1 ? cellOutName : e.Graph.FreshName(prefix + ".Y_c");
            var attributes = new List<Protos.AttributeProto>
            {
                OnnxAttribute.Int("hidden_size", h),
                OnnxAttribute.String("direction", spec.Directions == 2 ? "bidirectional" : "forward"),
            };
            if (spec.IsLstm)
            {
                e.Graph.AddNode("LSTM", [x, wName, rName, bName, "", h0, c0], [yName, hName, cName], [.. attributes]);
                cellStates.Add(cName);
            }
            else
            {
                attributes.Add(OnnxAttribute.Int("linear_before_reset", 1));
                e.Graph.AddNode("GRU", [x, wName, rName, bName, "", h0], [yName, hName], [.. attributes]);
            }
            hiddenStates.Add(hName);
            y = yName;
            if (!last)
            {
                // Y [T, dirs, B, H] -> next layer's input [T, B, dirs*H].
                x = spec.Directions == 1
                    ? e.Node("Squeeze", prefix + ".next", [yName, e.Int64s(1)])
                    : e.Node("Reshape", prefix + ".next", [e.Node("Transpose", prefix + ".next_t", [yName], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), e.Int64s(0, 0, -1)]);
            }
        }
        // Y [T, dirs, B, H] -> [B, T, dirs*H].
        string batchFirst = e.Node("Transpose", path + ".Y_bt", [y], OnnxAttribute.Ints("perm", 2, 0, 1, 3));
        string output = e.Node("Reshape", path + ".output", [batchFirst, e.Int64s(0, 0, spec.OutputSize)]);
        string hidden = spec.Layers == 1 ? hiddenStates[0] : e.Graph.AddNode("Concat", hiddenStates, hiddenOutName, OnnxAttribute.Int("axis", 0));
        string? cell = !spec.IsLstm ? null
            : spec.Layers == 1 ? cellStates[0] : e.Graph.AddNode("Concat", cellStates, cellOutName, OnnxAttribute.Int("axis", 0));
        return new Result(output, hidden, cell);
    }

    private static string LayerState(OnnxModuleEmitter e, string state, int layer, Spec spec, string hint) =>
        spec.Layers == 1
            ? state
            : e.Node("Slice", hint, [state, e.Int64s(layer * spec.Directions), e.Int64s((layer + 1) * spec.Directions), e.Int64s(0)]);

    private static Tensor Get(Dictionary<string, Parameter> parameters, string name, string path) =>
        parameters.TryGetValue(name, out var p) ? p : throw new NotSupportedException($"Recurrent module '{path}' has no parameter '{name}'.");

    /// <summary>Copies a PyTorch <c>[G*hidden, cols]</c> matrix (or bias) into ONNX gate order.</summary>
    private static void CopyGates(Tensor source, int[] order, long hidden, long cols, Span<float> target, string path)
    {
        var data = TensorData.ToFiniteFloats(source, path);
        long block = hidden * cols;
        if (data.Length != order.Length * block)
            throw new InvalidOperationException($"Recurrent module '{path}' has a parameter of {data.Length} values; expected {order.Length * block}.");
        for (int j = 0; j < order.Length; j++)
            data.AsSpan((int)(order[j] * block), (int)block).CopyTo(target.Slice((int)(j * block), (int)block));
    }
}
