using System.Text;
using Emotion.Onnx.Export.Protos;
using Google.Protobuf;

namespace Emotion.Onnx.Export.Graph;

/// <summary>Factory methods for ONNX node attributes (each sets the value field and the matching <c>type</c>).</summary>
public static class OnnxAttribute
{
    /// <summary>An integer attribute (<c>INT</c>).</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute (<c>FLOAT</c>).</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A UTF-8 string attribute (<c>STRING</c>).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFrom(value, Encoding.UTF8) };

    /// <summary>An integer list attribute (<c>INTS</c>).</summary>
    public static AttributeProto Ints(string name, params ReadOnlySpan<long> values)
    {
        var attribute = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Ints };
        foreach (long v in values) attribute.Ints.Add(v);
        return attribute;
    }

    /// <summary>A float list attribute (<c>FLOATS</c>).</summary>
    public static AttributeProto Floats(string name, params ReadOnlySpan<float> values)
    {
        var attribute = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Floats };
        foreach (float v in values) attribute.Floats.Add(v);
        return attribute;
    }

    /// <summary>A string list attribute (<c>STRINGS</c>).</summary>
    public static AttributeProto Strings(string name, params ReadOnlySpan<string> values)
    {
        var attribute = new AttributeProto { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Strings };
        foreach (string v in values) attribute.Strings.Add(ByteString.CopyFrom(v, Encoding.UTF8));
        return attribute;
    }

    /// <summary>A tensor attribute (<c>TENSOR</c>), for example the value of a <c>Constant</c> node.</summary>
    public static AttributeProto Tensor(string name, TensorProto value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new() { Name = CheckName(name), Type = AttributeProto.Types.AttributeType.Tensor, T = value };
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
