using System.Text.Json;

namespace Emotion.Torch.Import;

/// <summary>
/// One node of a TensorFlow.js graph model (<c>modelTopology.node</c>): its name, operation, inputs and attributes as
/// written by the converter, so that a network built in TorchSharp can read strides, padding or fused operations.
/// </summary>
/// <param name="Name">The node name (a weight's name for <c>Const</c> nodes).</param>
/// <param name="Op">The TensorFlow operation, for example <c>_FusedConv2D</c>, <c>DepthwiseConv2dNative</c> or <c>Const</c>.</param>
/// <param name="Inputs">The input node names as written (a <c>:n</c> suffix selects an output; <c>^name</c> is a control input).</param>
/// <param name="Attributes">The attributes by name (for example <c>strides</c>, <c>padding</c>, <c>fused_ops</c>), unparsed.</param>
public sealed record TfjsNode(string Name, string Op, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, JsonElement> Attributes)
{
    /// <summary>An attribute by name.</summary>
    /// <exception cref="KeyNotFoundException">The node has no such attribute (the message lists the ones it has).</exception>
    public JsonElement Attribute(string name) => Attributes.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"Graph node '{Name}' ({Op}) has no attribute '{name}'; it has {string.Join(", ", Attributes.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>
    /// A list-of-integers attribute (<c>{"list": {"i": ["1", "2", "2", "1"]}}</c>), for example <c>strides</c> or <c>ksize</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The node has no such attribute.</exception>
    /// <exception cref="FormatException">The attribute is not a list of integers.</exception>
    public IReadOnlyList<long> IntList(string name)
    {
        var value = Attribute(name);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Object)
        {
            if (!list.TryGetProperty("i", out var items)) return [];
            if (items.ValueKind != JsonValueKind.Array)
                throw new FormatException($"Attribute '{name}' of graph node '{Name}' has a non-array list: {value.GetRawText()}.");
            return items.EnumerateArray().Select(ParseLong).ToArray();
        }
        throw new FormatException($"Attribute '{name}' of graph node '{Name}' is not a list of integers: {value.GetRawText()}.");
    }

    /// <summary>
    /// A list-of-strings attribute (<c>{"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}}</c>, base64), decoded, for example
    /// <c>fused_ops</c> = <c>[BiasAdd, Relu]</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The node has no such attribute.</exception>
    /// <exception cref="FormatException">The attribute is not a list of strings.</exception>
    public IReadOnlyList<string> StringList(string name)
    {
        var value = Attribute(name);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Object)
        {
            if (!list.TryGetProperty("s", out var items)) return [];
            if (items.ValueKind != JsonValueKind.Array)
                throw new FormatException($"Attribute '{name}' of graph node '{Name}' has a non-array list: {value.GetRawText()}.");
            return items.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String
                ? Decode(i.GetString()!, name)
                : throw new FormatException($"Attribute '{name}' of graph node '{Name}' has a non-string item {i.GetRawText()}.")).ToArray();
        }
        throw new FormatException($"Attribute '{name}' of graph node '{Name}' is not a list of strings: {value.GetRawText()}.");
    }

    /// <summary>
    /// A string attribute (<c>{"s": "U0FNRQ=="}</c>, base64 as the converter writes it), decoded, for example <c>padding</c> = <c>SAME</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The node has no such attribute.</exception>
    /// <exception cref="FormatException">The attribute is not a string.</exception>
    public string String(string name)
    {
        var value = Attribute(name);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.String)
            return Decode(s.GetString()!, name);
        throw new FormatException($"Attribute '{name}' of graph node '{Name}' is not a string: {value.GetRawText()}.");
    }

    private string Decode(string base64, string attribute)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException e)
        {
            throw new FormatException($"Attribute '{attribute}' of graph node '{Name}' holds '{base64}', which is not base64.", e);
        }
    }

    private long ParseLong(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetInt64(),
        JsonValueKind.String when long.TryParse(e.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long v) => v,
        _ => throw new FormatException($"Graph node '{Name}' has a non-integer list item {e.GetRawText()}."),
    };
}
