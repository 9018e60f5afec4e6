using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// The main graph of an ONNX model file as read by <see cref="OnnxGraphReader"/>: nodes in file order, initializers
/// (the weights), declared inputs and outputs, and the producer's identification.
/// </summary>
public sealed class OnnxGraph
{
    private Dictionary<string, OnnxInitializer>? byName;
    private Dictionary<string, OnnxNode>? producers;

    /// <summary>The file the graph was read from (or the description given to the reader), used in error messages.</summary>
    public required string Source { get; init; }

    /// <summary>The graph's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The tool that wrote the file (<c>ModelProto.producer_name</c>, for example <c>CNTK</c>).</summary>
    public string ProducerName { get; init; } = "";

    /// <summary>The producer's version.</summary>
    public string ProducerVersion { get; init; } = "";

    /// <summary>The ONNX IR version.</summary>
    public long IrVersion { get; init; }

    /// <summary>The version of the default (ai.onnx) operator set, or null when the file imports none.</summary>
    public long? OpsetVersion { get; init; }

    /// <summary>The nodes in file order (ONNX requires a topological order).</summary>
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }

    /// <summary>The initializers in file order.</summary>
    public required IReadOnlyList<OnnxInitializer> Initializers { get; init; }

    /// <summary>The declared graph inputs (files of IR version 3 may also list the initializers here).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; init; } = [];

    /// <summary>The declared graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; init; } = [];

    /// <summary>Whether an initializer of that name exists.</summary>
    public bool HasInitializer(string name) => InitializerMap().ContainsKey(name);

    /// <summary>The initializer of that name.</summary>
    /// <exception cref="KeyNotFoundException">There is none; the message names the file.</exception>
    public OnnxInitializer GetInitializer(string name) => InitializerMap().TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"The ONNX graph in '{Source}' has no initializer '{name}'.");

    /// <summary>The node whose outputs include <paramref name="value"/>, or null (a graph input or an initializer).</summary>
    public OnnxNode? ProducerOf(string value)
    {
        if (producers is null)
        {
            var map = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
            foreach (var node in Nodes)
                foreach (var output in node.Outputs)
                    if (output.Length > 0) map.TryAdd(output, node);
            producers = map;
        }
        return producers.GetValueOrDefault(value);
    }

    /// <summary>The nodes that take <paramref name="value"/> as an input, in file order.</summary>
    public IReadOnlyList<OnnxNode> ConsumersOf(string value) => Nodes.Where(n => n.Inputs.Contains(value)).ToArray();

    /// <summary>
    /// Every initializer as a CPU tensor, keyed by initializer name (a state dictionary in the file's own names; map
    /// them to a module's names with a <see cref="Weights.WeightsKeyMap"/> or a converter). The caller disposes the tensors.
    /// </summary>
    /// <exception cref="NotSupportedException">An initializer holds strings.</exception>
    public Dictionary<string, Tensor> ToStateDict()
    {
        var result = new Dictionary<string, Tensor>(Initializers.Count, StringComparer.Ordinal);
        try
        {
            foreach (var init in Initializers)
            {
                if (!result.TryAdd(init.Name, init.ToTensor()))
                    throw new InvalidDataException($"The ONNX graph in '{Source}' has two initializers named '{init.Name}'.");
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private Dictionary<string, OnnxInitializer> InitializerMap()
    {
        if (byName is null)
        {
            var map = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
            foreach (var init in Initializers) map.TryAdd(init.Name, init);
            byName = map;
        }
        return byName;
    }
}
