using System.Globalization;
using Emotion.Torch.Backbones;
using Emotion.Torch.Weights;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Converts ML.NET's ImageNet ResNet-18 (<c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>: <c>ResNet18.onnx</c>, a CNTK 2.6
/// export, and <c>ResNetPreprocess.onnx</c>, its mean-image subtraction) into the state dictionary of a
/// <see cref="ResNetBackbone"/> (TorchVision names: <c>conv1.weight</c>, <c>bn1.*</c>, <c>layer1.0.conv1.weight</c> ...,
/// <c>layer2.0.downsample.0.weight</c> ..., and <c>input.mean_image</c> for the <see cref="ResNetVariant.Cntk"/> variant).
/// </summary>
/// <remarks>
/// CNTK names its tensors <c>Parameter91</c>, <c>Constant98</c> ..., so the names are assigned by following the graph: the
/// stem (7 x 7 convolution, batch norm, ReLU, max pooling), then each residual <c>Add</c> in file order is a BasicBlock whose
/// main path is conv-bn-relu-conv-bn and whose shortcut is the block input or a 1 x 1 convolution + batch norm (the
/// downsample); a block whose first convolution has stride 2 starts the next layer. Every convolution, pooling and batch
/// norm is checked against TorchVision's (kernel, stride, groups, dilation, epsilon 1e-5, and CNTK's asymmetric padding
/// against TorchVision's symmetric one at the graph's input size), and every initializer must be used exactly once, so a
/// converted file accounts for every tensor. See docs/models/resnet18-imagenet.md.
/// </remarks>
public static class CntkResNetWeights
{
    /// <summary>The load options for the converted dictionary: strict, except that CNTK records no batch-norm batch counters.</summary>
    public static WeightsLoadOptions LoadOptions { get; } = WeightsLoadOptions.Default with { AllowMissingBatchCounters = true };

    /// <summary>
    /// Reads ResNet18.onnx (and, when given, ResNetPreprocess.onnx's mean image as <c>input.mean_image</c>) into tensors
    /// keyed by <see cref="ResNetBackbone"/> names (no <c>num_batches_tracked</c>: CNTK has none). The caller disposes them.
    /// </summary>
    /// <param name="modelPath">ML.NET's ResNet18.onnx.</param>
    /// <param name="preprocessPath">ML.NET's ResNetPreprocess.onnx, or null to leave out the mean image.</param>
    /// <exception cref="InvalidDataException">A file is not the expected network (the message names the file and the node).</exception>
    public static Dictionary<string, Tensor> FromOnnx(string modelPath, string? preprocessPath = null)
    {
        var graph = OnnxGraphReader.Read(modelPath);
        var mapping = MapInitializers(graph);
        var result = new Dictionary<string, Tensor>(mapping.Count + 1, StringComparer.Ordinal);
        try
        {
            foreach (var (onnxName, key) in mapping) result.Add(key, graph.GetInitializer(onnxName).ToTensor());
            if (preprocessPath is not null) result.Add("input.mean_image", ReadMeanImage(preprocessPath));
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Converts and loads the weights into <paramref name="backbone"/> (strictly but for batch counters, <see cref="LoadOptions"/>).</summary>
    /// <param name="backbone">A <see cref="ResNetVariant.Cntk"/> ResNet-18 (CNTK's block counts); <paramref name="preprocessPath"/> gives its mean image.</param>
    /// <param name="modelPath">ML.NET's ResNet18.onnx.</param>
    /// <param name="preprocessPath">ML.NET's ResNetPreprocess.onnx (for the Cntk variant's mean image).</param>
    /// <exception cref="WeightsMismatchException">The converted tensors do not fit the backbone.</exception>
    /// <exception cref="InvalidDataException">A file is not the expected network.</exception>
    public static WeightsLoadResult LoadInto(ResNetBackbone backbone, string modelPath, string? preprocessPath = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        var dict = FromOnnx(modelPath, preprocessPath);
        try
        {
            return StateDictLoader.Apply(backbone, dict, modelPath, LoadOptions, WeightsFormat.Onnx);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Reads ResNetPreprocess.onnx after checking its structure (split the RGB input into channels, concatenate them as
    /// B, G, R, subtract the initializer <c>MeanImage</c>) and returns the mean image <c>[1, 3, 224, 224]</c> (BGR, 0-255).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not that preprocessing graph.</exception>
    public static Tensor ReadMeanImage(string preprocessPath)
    {
        var graph = OnnxGraphReader.Read(preprocessPath);
        string Fail(string what) => throw new InvalidDataException(
            $"'{preprocessPath}' is not ML.NET's ResNet preprocessing graph (Split the input into R, G, B; Concat as B, G, R; Sub a [1, 3, 224, 224] mean image): {what}.");
        if (graph.Nodes.Count != 3) Fail($"it has {graph.Nodes.Count} nodes ({string.Join(", ", graph.Nodes.Select(n => n.OpType))})");
        var (split, concat, sub) = (graph.Nodes[0], graph.Nodes[1], graph.Nodes[2]);
        if (split.OpType != "Split" || split.GetInt("axis", 0) != 1 || split.Outputs.Count != 3) Fail($"the first node is {split}");
        if (concat.OpType != "Concat" || concat.GetInt("axis", -1) != 1 || !concat.Inputs.SequenceEqual(split.Outputs.Reverse())) Fail($"the second node is {concat}, not the channels in reverse order");
        if (sub.OpType != "Sub" || sub.Inputs.Count != 2 || sub.Inputs[0] != concat.Outputs[0] || !graph.HasInitializer(sub.Inputs[1])) Fail($"the third node is {sub}");
        var mean = graph.GetInitializer(sub.Inputs[1]);
        if (mean.ElementType != OnnxElementType.Float || !mean.Dims.SequenceEqual([1L, 3, MeanImageInput.MeanImageSize, MeanImageInput.MeanImageSize]))
            Fail($"the mean image is {mean}");
        return mean.ToTensor();
    }

    /// <summary>
    /// Assigns a <see cref="ResNetBackbone"/> name to every initializer of a CNTK ResNet graph of BasicBlocks (see the
    /// remarks), in traversal order: pairs of (initializer name, module key). The block counts are read from the graph
    /// (ML.NET's ResNet18.onnx: [2, 2, 2, 3]); loading into a backbone with other counts then fails by name.
    /// </summary>
    /// <exception cref="InvalidDataException">The graph is not a ResNet of BasicBlocks equivalent to TorchVision's (the message names the node and what differs).</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> MapInitializers(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new Mapper(graph).Map();
    }

    private sealed class Mapper(OnnxGraph graph)
    {
        private readonly List<KeyValuePair<string, string>> mapping = [];
        private readonly HashSet<string> usedInitializers = new(StringComparer.Ordinal);
        private readonly HashSet<OnnxNode> visited = [];
        private readonly Dictionary<string, (long H, long W)> sizes = new(StringComparer.Ordinal);

        private InvalidDataException Error(string what) =>
            new($"'{graph.Source}' is not a CNTK ResNet equivalent to TorchVision's: {what}.");

        public IReadOnlyList<KeyValuePair<string, string>> Map()
        {
            var input = graph.Inputs.FirstOrDefault(i => !graph.HasInitializer(i.Name))
                ?? throw Error("it declares no image input");
            if (input.Dims.Count != 4 || input.Dims[1] != 3 || input.Dims[2] is null || input.Dims[3] is null)
                throw Error($"its input is {input}, expected [N, 3, H, W] with a fixed size");
            sizes[input.Name] = (input.Dims[2]!.Value, input.Dims[3]!.Value);

            // Stem: conv 7x7/2, batch norm, ReLU, max pooling 3x3/2.
            var stemConv = Single(graph.ConsumersOf(input.Name), "Conv", $"the input '{input.Name}'");
            string x = ConvBn(stemConv, "conv1", "bn1", kernel: 7, stride: 2);
            x = Relu(x);
            x = MaxPool(x);

            int layer = 0, block = 0, total = 0;
            var perLayer = new List<int>();
            while (true)
            {
                var consumers = graph.ConsumersOf(x);
                if (consumers.Count == 1 && consumers[0].OpType is "AveragePool" or "GlobalAveragePool")
                {
                    GlobalPool(consumers[0], x);
                    break;
                }
                // A BasicBlock: x feeds the main path's first convolution and, possibly, a downsample convolution.
                var convs = consumers.Where(n => n.OpType == "Conv").ToList();
                var add = consumers.FirstOrDefault(n => n.OpType == "Add");
                if (consumers.Count != convs.Count + (add is null ? 0 : 1) || convs.Count is < 1 or > 2)
                    throw Error($"after '{x}' comes {string.Join(", ", consumers.Select(n => n.ToString()))}; expected a residual block (convolutions and an Add) or the final average pooling");
                var main = convs.Single(c => Kernel(c) == 3);
                long stride = main.GetInts("strides", [1, 1])[0];
                if (total == 0 || stride == 2)
                {
                    if (total > 0) perLayer.Add(block);
                    layer++;
                    block = 0;
                }
                x = BasicBlock(x, main, convs.FirstOrDefault(c => c != main), stride, $"layer{layer}.{block}");
                block++;
                total++;
            }
            perLayer.Add(block);
            if (perLayer.Count != 4) throw Error($"it has {perLayer.Count} stages of blocks ([{string.Join(", ", perLayer)}]), a ResNet has 4");
            CheckEverythingMapped();
            return mapping;
        }

        /// <summary>
        /// A TorchVision BasicBlock after <paramref name="x"/>: conv-bn-ReLU-conv-bn on the main path, the downsample conv-bn
        /// (or <paramref name="x"/> itself) as the shortcut, their sum and a ReLU; returns the ReLU's output.
        /// </summary>
        private string BasicBlock(string x, OnnxNode main, OnnxNode? downsample, long stride, string prefix)
        {
            string h = ConvBn(main, $"{prefix}.conv1", $"{prefix}.bn1", kernel: 3, stride: stride);
            h = Relu(h);
            var conv2 = Single(graph.ConsumersOf(h), "Conv", $"'{h}' (the ReLU in {prefix})");
            h = ConvBn(conv2, $"{prefix}.conv2", $"{prefix}.bn2", kernel: 3, stride: 1);
            string shortcut = x;
            if (downsample is not null)
                shortcut = ConvBn(downsample, $"{prefix}.downsample.0", $"{prefix}.downsample.1", kernel: 1, stride: stride);
            else if (stride != 1)
                throw Error($"block {prefix} has stride {stride} but no downsample convolution");
            var sum = Single(graph.ConsumersOf(h), "Add", $"'{h}' (the end of {prefix})");
            if (sum.Inputs.Count != 2 || !sum.Inputs.Contains(h) || !sum.Inputs.Contains(shortcut))
                throw Error($"the residual addition of {prefix} is {sum}, expected the sum of '{h}' and '{shortcut}'");
            if (sizes[h] != sizes[shortcut]) throw Error($"the residual addition of {prefix} adds maps of sizes {sizes[h]} and {sizes[shortcut]}");
            Visit(sum);
            sizes[sum.Outputs[0]] = sizes[h];
            return Relu(sum.Outputs[0]);
        }

        /// <summary>Every node is part of the mapped body and every initializer was used: nothing of the graph is left out.</summary>
        private void CheckEverythingMapped()
        {
            var unusedNodes = graph.Nodes.Where(n => !visited.Contains(n)).ToList();
            if (unusedNodes.Count > 0)
                throw Error($"{unusedNodes.Count} node(s) are not part of the ResNet body: {string.Join("; ", unusedNodes.Take(5))} (a classifier or other head is not supported)");
            var unused = graph.Initializers.Where(i => !usedInitializers.Contains(i.Name)).Select(i => i.Name).ToList();
            if (unused.Count > 0) throw Error($"{unused.Count} initializer(s) are not used by the mapped layers: {string.Join(", ", unused.Take(8))}");
        }

        private OnnxNode Single(IReadOnlyList<OnnxNode> nodes, string op, string after)
        {
            if (nodes.Count != 1 || nodes[0].OpType != op)
                throw Error($"{after} feeds {(nodes.Count == 0 ? "nothing" : string.Join("; ", nodes))}; expected one {op}");
            return nodes[0];
        }

        private void Visit(OnnxNode node)
        {
            if (!visited.Add(node)) throw Error($"node {node} is reached twice");
        }

        private static long Kernel(OnnxNode conv) => conv.GetInts("kernel_shape", [0])[0];

        private string Use(OnnxNode node, int index, string key, int rank)
        {
            if (node.Inputs.Count <= index || !graph.HasInitializer(node.Inputs[index]))
                throw Error($"input {index} of {node} is not an initializer");
            var init = graph.GetInitializer(node.Inputs[index]);
            if (init.ElementType != OnnxElementType.Float || init.Dims.Count != rank)
                throw Error($"initializer {init} (input {index} of '{node.Name}', for {key}) is not a float tensor of rank {rank}");
            if (!usedInitializers.Add(init.Name)) throw Error($"initializer '{init.Name}' is used twice (again for {key})");
            mapping.Add(new(init.Name, key));
            return init.Name;
        }

        /// <summary>A convolution without bias and its batch norm; returns the batch norm's output.</summary>
        private string ConvBn(OnnxNode conv, string convKey, string bnKey, long kernel, long stride)
        {
            Visit(conv);
            if (conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0)
                throw Error($"convolution {conv} has a bias; TorchVision's ResNet convolutions have none");
            var weight = graph.GetInitializer(Use(conv, 1, convKey + ".weight", 4));
            var k = conv.GetInts("kernel_shape", [weight.Dims[2], weight.Dims[3]]);
            var s = conv.GetInts("strides", [1, 1]);
            var d = conv.GetInts("dilations", [1, 1]);
            if (k.Count != 2 || k[0] != kernel || k[1] != kernel || weight.Dims[2] != kernel || weight.Dims[3] != kernel)
                throw Error($"convolution {conv} (for {convKey}) has kernel [{string.Join(", ", k)}], expected {kernel} x {kernel}");
            if (s.Count != 2 || s[0] != stride || s[1] != stride) throw Error($"convolution {conv} (for {convKey}) has strides [{string.Join(", ", s)}], expected {stride}");
            if (d.Any(v => v != 1) || conv.GetInt("group", 1) != 1) throw Error($"convolution {conv} (for {convKey}) is dilated or grouped");
            if (conv.GetString("auto_pad", "NOTSET") != "NOTSET") throw Error($"convolution {conv} (for {convKey}) uses auto_pad");
            var output = conv.Outputs[0];
            sizes[output] = Window(conv, conv.Inputs[0], kernel, stride, convKey);

            var bn = Single(graph.ConsumersOf(output), "BatchNormalization", $"convolution '{conv.Name}' (for {convKey})");
            Visit(bn);
            double eps = bn.GetFloat("epsilon", 1e-5f);
            if (Math.Abs(eps - 1e-5) > 1e-9) throw Error($"batch norm {bn} (for {bnKey}) has epsilon {eps}, TorchVision's is 1e-5");
            Use(bn, 1, bnKey + ".weight", 1);
            Use(bn, 2, bnKey + ".bias", 1);
            Use(bn, 3, bnKey + ".running_mean", 1);
            Use(bn, 4, bnKey + ".running_var", 1);
            sizes[bn.Outputs[0]] = sizes[output];
            return bn.Outputs[0];
        }

        private string Relu(string x)
        {
            var relu = Single(graph.ConsumersOf(x), "Relu", $"'{x}'");
            Visit(relu);
            sizes[relu.Outputs[0]] = sizes[x];
            return relu.Outputs[0];
        }

        private string MaxPool(string x)
        {
            var pool = Single(graph.ConsumersOf(x), "MaxPool", $"'{x}' (the stem's ReLU)");
            Visit(pool);
            var k = pool.GetInts("kernel_shape", []);
            var s = pool.GetInts("strides", [1, 1]);
            if (!k.SequenceEqual([3L, 3]) || !s.SequenceEqual([2L, 2]) || pool.GetInt("ceil_mode", 0) != 0 || pool.GetInts("dilations", [1, 1]).Any(v => v != 1))
                throw Error($"the stem's max pooling is {pool}, expected 3 x 3, stride 2, floor mode (TorchVision's)");
            sizes[pool.Outputs[0]] = Window(pool, x, 3, 2, "maxpool");
            return pool.Outputs[0];
        }

        private void GlobalPool(OnnxNode pool, string x)
        {
            Visit(pool);
            if (pool.OpType == "AveragePool")
            {
                var k = pool.GetInts("kernel_shape", []);
                var pads = pool.GetInts("pads", [0, 0, 0, 0]);
                var (h, w) = sizes[x];
                if (k.Count != 2 || k[0] != h || k[1] != w || pads.Any(p => p != 0))
                    throw Error($"the final pooling {pool} does not average the whole {h} x {w} map (TorchVision's adaptive average pooling to 1 x 1)");
            }
            var after = graph.ConsumersOf(pool.Outputs[0]);
            if (after.Count > 0) throw Error($"the final pooling feeds {string.Join("; ", after)}; a classifier is not supported");
        }

        /// <summary>
        /// Output size of a convolution or pooling with the node's ONNX pads, checked to equal TorchVision's symmetric
        /// padding (k - 1) / 2 at this input size: CNTK writes pads such as [3, 3, 2, 2] (more at the start), which give the
        /// same windows as TorchVision's [3, 3, 3, 3] whenever the output sizes agree (the extra end row is never read).
        /// </summary>
        private (long H, long W) Window(OnnxNode node, string input, long kernel, long stride, string key)
        {
            if (!sizes.TryGetValue(input, out var inSize)) throw Error($"the size of '{input}' (input of {node}) is unknown");
            var pads = node.GetInts("pads", [0, 0, 0, 0]);
            if (pads.Count != 4) throw Error($"{node} (for {key}) has pads [{string.Join(", ", pads)}]");
            long p = (kernel - 1) / 2;
            if (pads[0] != p || pads[1] != p)
                throw Error($"{node} (for {key}) pads [{string.Join(", ", pads)}] start with other than {p}, TorchVision's padding");
            long onnxH = (inSize.H + pads[0] + pads[2] - kernel) / stride + 1, onnxW = (inSize.W + pads[1] + pads[3] - kernel) / stride + 1;
            long torchH = (inSize.H + 2 * p - kernel) / stride + 1, torchW = (inSize.W + 2 * p - kernel) / stride + 1;
            if (onnxH != torchH || onnxW != torchW)
                throw Error(string.Create(CultureInfo.InvariantCulture,
                    $"{node} (for {key}) gives a {onnxH} x {onnxW} map from {inSize.H} x {inSize.W}, TorchVision's symmetric padding {torchH} x {torchW}"));
            return (onnxH, onnxW);
        }
    }
}
