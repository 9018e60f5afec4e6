namespace Emotion.Torch.Import;

/// <summary>
/// One attribute of an ONNX node. <see cref="Kind"/> tells which value is set (ONNX <c>AttributeProto.AttributeType</c>:
/// 1 float, 2 int, 3 string, 4 tensor, 5 graph, 6 floats, 7 ints, 8 strings); graph attributes are recorded without their body.
/// </summary>
/// <param name="Name">The attribute's name, for example <c>pads</c>.</param>
/// <param name="Kind">The ONNX attribute type number (0 when the file left it out; the value fields then tell).</param>
/// <param name="Float">The <c>f</c> value.</param>
/// <param name="Int">The <c>i</c> value.</param>
/// <param name="String">The <c>s</c> value, decoded as UTF-8.</param>
/// <param name="Tensor">The <c>t</c> value.</param>
/// <param name="Floats">The <c>floats</c> values.</param>
/// <param name="Ints">The <c>ints</c> values.</param>
/// <param name="Strings">The <c>strings</c> values, decoded as UTF-8.</param>
public sealed record OnnxNodeAttribute(
    string Name,
    int Kind,
    float? Float,
    long? Int,
    string? String,
    OnnxInitializer? Tensor,
    IReadOnlyList<float> Floats,
    IReadOnlyList<long> Ints,
    IReadOnlyList<string> Strings)
{
    /// <summary>The value as text, for messages: <c>pads=[3, 3, 2, 2]</c>.</summary>
    public override string ToString()
    {
        string value = Float is { } f ? f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            : Int is { } i ? i.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : String is { } s ? $"\"{s}\""
            : Tensor is { } t ? t.ToString()
            : Ints.Count > 0 ? $"[{string.Join(", ", Ints)}]"
            : Floats.Count > 0 ? $"[{string.Join(", ", Floats.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]"
            : Strings.Count > 0 ? $"[{string.Join(", ", Strings.Select(x => $"\"{x}\""))}]"
            : "[]";
        return $"{Name}={value}";
    }
}
