using System.Buffers.Binary;
using System.Text.Json;

namespace Emotion.Torch.Import;

/// <summary>
/// A TensorFlow.js model or weights file, read completely: the JSON (a <c>model.json</c> of a layers or graph model, or a
/// stand-alone weights manifest array) and the binary shards it names, decoded into tensors by name with their
/// TensorFlow shapes. Supports float32, int32 and bool weights, uint8/uint16 affine quantization
/// (<c>value = q * scale + min</c>) and float16 (stored or as a quantization). For graph models the graph's nodes are
/// exposed too, so a TorchSharp network can read strides, padding and fused operations.
/// </summary>
/// <remarks>
/// Shard paths are relative to the JSON file. Each manifest group's shards are concatenated in order and its weights lie
/// back to back in that byte stream, as TensorFlow.js's <c>io.decodeWeights</c> reads them; bytes after a group's last
/// weight are ignored (as TensorFlow.js does). Errors name the JSON file, the shard and the tensor involved.
/// Use <see cref="TfjsStateDictBuilder"/> to turn the tensors into a PyTorch-layout state dictionary.
/// </remarks>
public sealed class TfjsModelFile
{
    private readonly Dictionary<string, TfjsTensor> tensors;
    private readonly Dictionary<string, TfjsNode> nodesByName;

    private TfjsModelFile(string path, TfjsModelFormat format, JsonElement? topology, List<TfjsWeightSpec> weights,
        Dictionary<string, TfjsTensor> tensors, List<TfjsNode> nodes)
    {
        Path = path;
        Format = format;
        ModelTopology = topology;
        Weights = weights;
        this.tensors = tensors;
        Nodes = nodes;
        nodesByName = new Dictionary<string, TfjsNode>(StringComparer.Ordinal);
        foreach (var node in nodes) nodesByName.TryAdd(node.Name, node);
    }

    /// <summary>The JSON file the model was read from (full path).</summary>
    public string Path { get; }

    /// <summary>Which kind of JSON the file is.</summary>
    public TfjsModelFormat Format { get; }

    /// <summary>The <c>modelTopology</c> object of a layers or graph model (null for a stand-alone manifest).</summary>
    public JsonElement? ModelTopology { get; }

    /// <summary>The manifest entries in file order.</summary>
    public IReadOnlyList<TfjsWeightSpec> Weights { get; }

    /// <summary>The tensor names in manifest order.</summary>
    public IReadOnlyList<string> Names => Weights.Select(w => w.Name).ToArray();

    /// <summary>The graph's nodes in file order (graph models; empty otherwise).</summary>
    public IReadOnlyList<TfjsNode> Nodes { get; }

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>The decoded tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name (the message names the file and lists similar names).</exception>
    public TfjsTensor this[string name] => GetTensor(name);

    /// <summary>The decoded tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name (the message names the file and lists similar names).</exception>
    public TfjsTensor GetTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (tensors.TryGetValue(name, out var t)) return t;
        string prefix = name.Contains('/') ? name[..name.LastIndexOf('/')] : "";
        var similar = Weights.Select(w => w.Name).Where(n => prefix.Length > 0 && n.StartsWith(prefix, StringComparison.Ordinal)).Take(8).ToArray();
        throw new KeyNotFoundException(
            $"TF.js file '{Path}' has no tensor '{name}'" +
            (similar.Length > 0 ? $"; tensors under '{prefix}/': {string.Join(", ", similar)}." : $"; it holds {Weights.Count} tensors, for example {string.Join(", ", Weights.Take(5).Select(w => w.Name))}."));
    }

    /// <summary>The graph node named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such node (or is not a graph model).</exception>
    public TfjsNode GetNode(string name) => nodesByName.TryGetValue(name ?? "", out var node)
        ? node
        : throw new KeyNotFoundException(Format == TfjsModelFormat.GraphModel
            ? $"Graph model '{Path}' has no node '{name}'."
            : $"TF.js file '{Path}' is a {Format}, which has no graph nodes.");

    /// <summary>
    /// Reads a TF.js <c>model.json</c> (layers or graph model) or a stand-alone weights manifest, and every shard it names.
    /// </summary>
    /// <param name="path">The JSON file.</param>
    /// <exception cref="FileNotFoundException">The JSON file or one of its shards does not exist (the message names the tensors stored there).</exception>
    /// <exception cref="InvalidDataException">
    /// The JSON is not a TF.js model or manifest, a weight has an unsupported type or quantization, two weights share a
    /// name, or the shards hold fewer bytes than the manifest describes (the message names the file, the expected and
    /// actual byte counts and the first tensor cut off).
    /// </exception>
    public static TfjsModelFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"TF.js model file '{fullPath}' does not exist.", fullPath);
        byte[] bytes = File.ReadAllBytes(fullPath);
        // JsonDocument checks strings lazily: invalid UTF-8 would surface later as an InvalidOperationException from GetString.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new InvalidDataException($"TF.js model file '{fullPath}' is not valid UTF-8 text; expected a model.json written by TensorFlow.js.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"TF.js model file '{fullPath}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            TfjsModelFormat format;
            JsonElement manifest;
            JsonElement? topology = null;
            var nodes = new List<TfjsNode>();
            if (root.ValueKind == JsonValueKind.Array)
            {
                format = TfjsModelFormat.WeightsManifest;
                manifest = root;
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("weightsManifest", out manifest))
            {
                if (root.TryGetProperty("modelTopology", out var top) && top.ValueKind == JsonValueKind.Object)
                    topology = top.Clone();
                bool graph = (root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == "graph-model")
                    || (topology is { } t && t.TryGetProperty("node", out _));
                format = graph ? TfjsModelFormat.GraphModel : TfjsModelFormat.LayersModel;
                if (graph && topology is { } g && g.TryGetProperty("node", out var nodeList))
                    nodes = ReadNodes(fullPath, nodeList);
            }
            else
            {
                throw new InvalidDataException(
                    $"'{fullPath}' is not a TF.js model: expected a model.json object with 'weightsManifest' (layers or graph model) or a weights manifest array of {{ paths, weights }} groups.");
            }
            var (specs, paths) = ReadManifest(fullPath, manifest);
            var decoded = Decode(fullPath, specs, paths);
            return new TfjsModelFile(fullPath, format, topology, specs, decoded, nodes);
        }
    }

    private static List<TfjsNode> ReadNodes(string file, JsonElement nodeList)
    {
        if (nodeList.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"Graph model '{file}': modelTopology.node is not an array.");
        var nodes = new List<TfjsNode>();
        foreach (var n in nodeList.EnumerateArray())
        {
            string name = RequiredString(file, n, "name", "graph node");
            string op = RequiredString(file, n, "op", $"graph node '{name}'");
            var inputs = n.TryGetProperty("input", out var inp) && inp.ValueKind == JsonValueKind.Array
                ? StringArray(file, inp, $"the inputs of graph node '{name}'")
                : [];
            var attrs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (n.TryGetProperty("attr", out var attr) && attr.ValueKind == JsonValueKind.Object)
                foreach (var p in attr.EnumerateObject()) attrs[p.Name] = p.Value.Clone();
            nodes.Add(new TfjsNode(name, op, inputs, attrs));
        }
        return nodes;
    }

    private static (List<TfjsWeightSpec> Specs, List<string[]> Paths) ReadManifest(string file, JsonElement manifest)
    {
        if (manifest.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"TF.js file '{file}': the weights manifest is not an array of {{ paths, weights }} groups.");
        var specs = new List<TfjsWeightSpec>();
        var groupPaths = new List<string[]>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int group = 0;
        foreach (var g in manifest.EnumerateArray())
        {
            if (g.ValueKind != JsonValueKind.Object || !g.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Array
                || !g.TryGetProperty("weights", out var weights) || weights.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"TF.js file '{file}': weight group {group} lacks a 'paths' or 'weights' array.");
            groupPaths.Add(StringArray(file, paths, $"the paths of weight group {group}"));
            long offset = 0;
            foreach (var w in weights.EnumerateArray())
            {
                string name = RequiredString(file, w, "name", $"a weight of group {group}");
                if (seen.TryGetValue(name, out int other))
                    throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' appears twice (groups {other} and {group}); tensor names must be unique.");
                seen.Add(name, group);
                string dtype = RequiredString(file, w, "dtype", $"tensor '{name}'");
                var shape = ReadShape(file, name, w);
                TfjsQuantization? quantization = null;
                if (w.TryGetProperty("quantization", out var q) && q.ValueKind == JsonValueKind.Object)
                    quantization = ReadQuantization(file, name, dtype, q);
                long count = shape.Aggregate(1L, (n, d) => n * d);
                long bytes = count * (quantization?.BytesPerElement ?? BytesPerElement(file, name, dtype));
                specs.Add(new TfjsWeightSpec(name, shape, dtype, quantization, group, offset, bytes));
                offset += bytes;
            }
            group++;
        }
        return (specs, groupPaths);
    }

    private static int[] ReadShape(string file, string name, JsonElement w)
    {
        if (!w.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' has no 'shape' array.");
        var dims = new List<int>();
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' has an invalid dimension {d.GetRawText()} in its shape {shape.GetRawText()}.");
            dims.Add(v);
        }
        return [.. dims];
    }

    private static TfjsQuantization ReadQuantization(string file, string name, string dtype, JsonElement q)
    {
        string qtype = RequiredString(file, q, "dtype", $"the quantization of tensor '{name}'");
        double? scale = q.TryGetProperty("scale", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
        double? min = q.TryGetProperty("min", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : null;
        var quantization = new TfjsQuantization(qtype, scale, min);
        switch (qtype)
        {
            case "uint8" or "uint16":
                if (scale is null || min is null)
                    throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' is {qtype}-quantized but its quantization lacks 'scale' or 'min'.");
                if (dtype is not ("float32" or "int32"))
                    throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' is {qtype}-quantized with dtype '{dtype}'; only float32 and int32 weights can be quantized.");
                break;
            case "float16":
                if (dtype != "float32")
                    throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' is float16-quantized with dtype '{dtype}'; only float32 weights can be.");
                break;
            default:
                throw new InvalidDataException($"TF.js file '{file}': tensor '{name}' has an unknown quantization type '{qtype}' (expected uint8, uint16 or float16).");
        }
        return quantization;
    }

    private static int BytesPerElement(string file, string name, string dtype) => dtype switch
    {
        "float32" or "int32" => 4,
        "float16" => 2,
        "bool" => 1,
        _ => throw new InvalidDataException(
            $"TF.js file '{file}': tensor '{name}' has dtype '{dtype}', which this importer does not read (expected float32, int32, bool or float16)."),
    };

    private static Dictionary<string, TfjsTensor> Decode(string file, List<TfjsWeightSpec> specs, List<string[]> groupPaths)
    {
        var result = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        string directory = System.IO.Path.GetDirectoryName(file)!;
        for (int group = 0; group < groupPaths.Count; group++)
        {
            var groupSpecs = specs.Where(s => s.Group == group).ToList();
            if (groupSpecs.Count == 0) continue;
            var (bytes, shardSizes) = ReadShards(file, directory, group, groupPaths[group], groupSpecs);
            long expected = groupSpecs[^1].ByteOffset + groupSpecs[^1].ByteLength;
            if (bytes.Length < expected)
            {
                var cut = groupSpecs.First(s => s.ByteOffset + s.ByteLength > bytes.Length);
                var shards = groupPaths[group].Select((p, i) => $"'{System.IO.Path.Combine(directory, p)}' ({shardSizes[i]} bytes)");
                throw new InvalidDataException(
                    $"TF.js file '{file}': weight group {group} needs {expected} bytes but its shard{(shardSizes.Length > 1 ? "s" : "")} " +
                    $"{string.Join(" + ", shards)} hold{(shardSizes.Length > 1 ? "" : "s")} {bytes.Length}; tensor {cut} " +
                    $"(bytes {cut.ByteOffset}..{cut.ByteOffset + cut.ByteLength} of the group) is cut off. The shard is probably truncated or belongs to another model.");
            }
            foreach (var spec in groupSpecs)
                result.Add(spec.Name, DecodeOne(spec, bytes.AsSpan((int)spec.ByteOffset, (int)spec.ByteLength)));
        }
        return result;
    }

    private static (byte[] Bytes, long[] Sizes) ReadShards(string file, string directory, int group, string[] paths, List<TfjsWeightSpec> groupSpecs)
    {
        if (paths.Length == 0)
            throw new InvalidDataException($"TF.js file '{file}': weight group {group} (tensor {groupSpecs[0]} and {groupSpecs.Count - 1} more) lists no shard paths.");
        var sizes = new long[paths.Length];
        using var all = new MemoryStream();
        for (int i = 0; i < paths.Length; i++)
        {
            string shard = System.IO.Path.Combine(directory, paths[i]);
            if (!File.Exists(shard))
            {
                string unescaped = System.IO.Path.Combine(directory, Uri.UnescapeDataString(paths[i]));
                if (File.Exists(unescaped)) shard = unescaped;
                else
                    throw new FileNotFoundException(
                        $"TF.js file '{file}': shard '{shard}' (shard {i + 1} of {paths.Length} of weight group {group}, which holds tensor {groupSpecs[0]}" +
                        (groupSpecs.Count > 1 ? $" and {groupSpecs.Count - 1} more" : "") + ") does not exist.", shard);
            }
            var data = File.ReadAllBytes(shard);
            sizes[i] = data.Length;
            all.Write(data);
        }
        return (all.ToArray(), sizes);
    }

    private static TfjsTensor DecodeOne(TfjsWeightSpec spec, ReadOnlySpan<byte> bytes)
    {
        int n = checked((int)spec.ElementCount);
        if (spec.Quantization is { } q)
        {
            if (q.DType == "float16") return TfjsTensor.Float(spec, Halves(bytes, n));
            double scale = q.Scale!.Value, min = q.Min!.Value;
            bool wide = q.DType == "uint16";
            if (spec.DType == "int32")
            {
                var ints = new int[n];
                // JavaScript's Math.round: halves round up.
                for (int i = 0; i < n; i++) ints[i] = (int)Math.Floor(Level(bytes, i, wide) * scale + min + 0.5);
                return TfjsTensor.Int(spec, ints);
            }
            var floats = new float[n];
            for (int i = 0; i < n; i++) floats[i] = (float)(Level(bytes, i, wide) * scale + min);
            return TfjsTensor.Float(spec, floats);
        }
        switch (spec.DType)
        {
            case "float32":
            {
                var floats = new float[n];
                for (int i = 0; i < n; i++) floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                return TfjsTensor.Float(spec, floats);
            }
            case "int32":
            {
                var ints = new int[n];
                for (int i = 0; i < n; i++) ints[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                return TfjsTensor.Int(spec, ints);
            }
            case "float16":
                return TfjsTensor.Float(spec, Halves(bytes, n));
            default:
            {
                var bools = new bool[n];
                for (int i = 0; i < n; i++) bools[i] = bytes[i] != 0;
                return TfjsTensor.Bool(spec, bools);
            }
        }
    }

    private static double Level(ReadOnlySpan<byte> bytes, int i, bool wide) =>
        wide ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) : bytes[i];

    private static float[] Halves(ReadOnlySpan<byte> bytes, int n)
    {
        var floats = new float[n];
        for (int i = 0; i < n; i++) floats[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
        return floats;
    }

    private static string[] StringArray(string file, JsonElement array, string what) =>
        array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidDataException($"TF.js file '{file}': {what} must be strings; found a {e.ValueKind}.")).ToArray();

    private static string RequiredString(string file, JsonElement e, string property, string what) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InvalidDataException($"TF.js file '{file}': {what} has no '{property}' string.");
}
