using Emotion.Core;
using Emotion.Onnx.Export.Protos;

namespace Emotion.Onnx.Export.Graph;

/// <summary>
/// Builds an ONNX model node by node: graph inputs and outputs with fixed or symbolic dimensions, constant initializers,
/// operator nodes in topological order and metadata. Every value name is defined exactly once (the builder checks that
/// each node input already exists, so mistakes fail where they are made rather than in ONNX Runtime).
/// </summary>
/// <example>
/// <code>
/// var g = new OnnxGraphBuilder("tiny");
/// string x = g.AddInput("x", ["batch", 4]);
/// string w = g.AddInitializer("w", weights, 2, 4);
/// string y = g.AddNode("Gemm", [x, w], "y", OnnxAttribute.Int("transB", 1));
/// g.AddOutput(y, ["batch", 2]);
/// g.Save("tiny.onnx");
/// </code>
/// </example>
public sealed class OnnxGraphBuilder
{
    /// <summary>The default-domain operator set version written by default (17; HardSwish needs 14 or later).</summary>
    public const int DefaultOpset = 17;

    /// <summary>The ONNX IR version written (8, the IR of opsets 15 to 18).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto graph;
    private readonly HashSet<string> defined = new(StringComparer.Ordinal);
    private readonly HashSet<string> outputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> metadata = new(StringComparer.Ordinal);
    private readonly List<string> metadataOrder = [];
    private int nodeCounter;

    /// <summary>Creates an empty graph.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="opset">The default-domain operator set version (7 or later).</param>
    /// <exception cref="ArgumentOutOfRangeException">The opset is below 7.</exception>
    public OnnxGraphBuilder(string graphName = "main_graph", int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 7);
        graph = new GraphProto { Name = graphName };
        Opset = opset;
    }

    /// <summary>The default-domain operator set version.</summary>
    public int Opset { get; }

    /// <summary>The producer name written in the model (default <c>Emotion.Core</c>).</summary>
    public string ProducerName { get; set; } = "Emotion.Core";

    /// <summary>The producer version written in the model (default: this library's version).</summary>
    public string ProducerVersion { get; set; } = EmotionModelInfo.CurrentLibraryVersion;

    /// <summary>A human-readable description of the model (optional).</summary>
    public string? DocString { get; set; }

    /// <summary>The number of nodes added so far.</summary>
    public int NodeCount => graph.Node.Count;

    /// <summary>Whether a value (input, initializer or node output) of this name exists.</summary>
    public bool Contains(string name) => defined.Contains(name);

    /// <summary>Returns <paramref name="hint"/>, or <c>hint_1</c>, <c>hint_2</c>, ... : a value name not used yet.</summary>
    public string FreshName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        if (!defined.Contains(hint)) return hint;
        for (int i = 1; ; i++)
        {
            string candidate = $"{hint}_{i}";
            if (!defined.Contains(candidate)) return candidate;
        }
    }

    /// <summary>Declares a graph input and returns its name.</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="shape">Its dimensions, fixed or symbolic (for example <c>["batch", 3, 112, 112]</c>).</param>
    /// <param name="elementType">Its element type (float32 by default).</param>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public string AddInput(string name, IReadOnlyList<OnnxDimension> shape,
        TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        Define(name);
        graph.Input.Add(ValueInfo(name, shape, elementType));
        return name;
    }

    /// <summary>Declares an existing value (a node output, input or initializer) as a graph output and returns its name.</summary>
    /// <param name="name">The value's name.</param>
    /// <param name="shape">Its dimensions, fixed or symbolic.</param>
    /// <param name="elementType">Its element type (float32 by default).</param>
    /// <exception cref="ArgumentException">No value of this name exists, or it is already an output.</exception>
    public string AddOutput(string name, IReadOnlyList<OnnxDimension> shape,
        TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        RequireDefined(name, "graph output");
        if (!outputs.Add(name)) throw new ArgumentException($"'{name}' is already a graph output.", nameof(name));
        graph.Output.Add(ValueInfo(name, shape, elementType));
        return name;
    }

    /// <summary>Adds a float32 constant (weights, biases) and returns its name.</summary>
    /// <exception cref="ArgumentException">The name is used, or the data length does not match the dimensions.</exception>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params ReadOnlySpan<long> dims) =>
        AddInitializer(OnnxTensors.Float(name, data, dims));

    /// <summary>Adds an int64 constant (shapes, axes) and returns its name.</summary>
    /// <exception cref="ArgumentException">The name is used, or the data length does not match the dimensions.</exception>
    public string AddInt64Initializer(string name, ReadOnlySpan<long> data, params ReadOnlySpan<long> dims) =>
        AddInitializer(OnnxTensors.Int64(name, data, dims));

    /// <summary>Adds a prepared constant tensor and returns its name.</summary>
    /// <exception cref="ArgumentException">The tensor has no name or its name is used.</exception>
    public string AddInitializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Define(tensor.Name);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    /// <param name="opType">The operator (for example <c>Conv</c>).</param>
    /// <param name="inputs">Existing value names; an empty string marks an omitted optional input.</param>
    /// <param name="output">The new output's name.</param>
    /// <param name="attributes">The node's attributes (see <see cref="OnnxAttribute"/>).</param>
    /// <exception cref="ArgumentException">An input does not exist or the output name is used.</exception>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes) =>
        AddNode(opType, inputs, [output], attributes)[0];

    /// <summary>Adds a node and returns its output names.</summary>
    /// <param name="opType">The operator (for example <c>GRU</c>).</param>
    /// <param name="inputs">Existing value names; an empty string marks an omitted optional input.</param>
    /// <param name="outputs">The new outputs' names; an empty string marks an omitted optional output.</param>
    /// <param name="attributes">The node's attributes (see <see cref="OnnxAttribute"/>).</param>
    /// <exception cref="ArgumentException">An input does not exist or an output name is used.</exception>
    public IReadOnlyList<string> AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);
        foreach (string input in inputs)
            if (input.Length > 0) RequireDefined(input, $"input of {opType}");
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{nodeCounter++}" };
        node.Input.Add(inputs);
        foreach (string output in outputs)
        {
            if (output.Length > 0) Define(output);
            node.Output.Add(output);
        }
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Sets a metadata entry (<c>metadata_props</c>) of the model.</summary>
    /// <exception cref="ArgumentException">The key is empty or already set.</exception>
    public void AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!metadata.TryAdd(key, value)) throw new ArgumentException($"Metadata key '{key}' is already set.", nameof(key));
        metadataOrder.Add(key);
    }

    /// <summary>Returns the model: IR version, opset import, producer, graph and metadata.</summary>
    /// <exception cref="InvalidOperationException">The graph has no output.</exception>
    public ModelProto Build()
    {
        if (graph.Output.Count == 0) throw new InvalidOperationException($"Graph '{graph.Name}' has no output; call AddOutput first.");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Graph = graph.Clone(),
            DocString = DocString ?? "",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (string key in metadataOrder)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = metadata[key] });
        return model;
    }

    /// <summary>Builds the model and writes it to <paramref name="path"/> atomically (see <see cref="OnnxModelFile.Save"/>).</summary>
    public void Save(string path) => OnnxModelFile.Save(Build(), path);

    private void Define(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!defined.Add(name)) throw new ArgumentException($"The value name '{name}' is already used in graph '{graph.Name}'.", nameof(name));
    }

    private void RequireDefined(string name, string role)
    {
        if (!defined.Contains(name))
            throw new ArgumentException($"The {role} '{name}' is not a graph input, initializer or earlier node output in graph '{graph.Name}'.");
    }

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<OnnxDimension> shape, TensorProto.Types.DataType elementType)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim.Symbol is { } symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Size ?? 0 });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape } },
        };
    }
}
