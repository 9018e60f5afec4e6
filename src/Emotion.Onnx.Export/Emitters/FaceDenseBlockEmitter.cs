using Emotion.Torch.Backbones;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// ONNX equivalent of <see cref="FaceDenseBlock"/> (face-api.js's <c>denseBlock4</c>), following its forward pass and the
/// order of its additions: <c>out1 = relu(conv0(pad(x)))</c>, <c>out2 = conv1(out1)</c>, <c>out3 = conv2(relu(out1 + out2))</c>,
/// <c>out4 = conv3(relu(out1 + (out2 + out3)))</c>, <c>y = relu(out1 + (out2 + (out3 + out4)))</c>. The children are
/// emitted by the dispatcher (<c>pad</c> as <c>Pad</c>, the convolutions as <c>Conv</c>, depthwise ones with <c>group</c>).
/// </summary>
internal static class FaceDenseBlockEmitter
{
    public static OnnxValue Emit(OnnxModuleEmitter e, FaceDenseBlock block, OnnxValue x, string path)
    {
        OnnxValue Child(string name, OnnxValue input) =>
            e.Emit(e.Child(block, name, path), input, OnnxModuleEmitter.Join(path, name));
        string Add(string name, OnnxValue a, OnnxValue b)
        {
            if (!a.Shape.SequenceEqual(b.Shape))
                throw new InvalidOperationException($"Dense block '{path}': cannot add {a} and {b} of different shapes.");
            return e.Node("Add", $"{path}.{name}", [a.Name, b.Name]);
        }
        OnnxValue Relu(string name, string value, OnnxValue like) => like with { Name = e.Node("Relu", $"{path}.{name}", [value]) };

        var conv0 = Child("conv0", Child("pad", x));
        var out1 = Relu("relu1", conv0.Name, conv0);
        var out2 = Child("conv1", out1);
        var in3 = Relu("relu2", Add("add12", out1, out2), out1);
        var out3 = Child("conv2", in3);
        var sum23 = out3 with { Name = Add("add23", out2, out3) };
        var in4 = Relu("relu3", Add("add123", out1, sum23), out1);
        var out4 = Child("conv3", in4);
        var sum34 = out4 with { Name = Add("add34", out3, out4) };
        var sum234 = out4 with { Name = Add("add234", out2, sum34) };
        return Relu("relu4", Add("add1234", out1, sum234), out1);
    }
}
