using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// ONNX equivalents of TorchVision's (TorchSharp port, 0.107) composite models and blocks, whose forward passes are not a
/// plain sequence of their children: residual additions, functional pooling and flattening. Each follows the forward
/// method of the TorchVision class it handles.
/// </summary>
internal static class TorchVisionEmitters
{
    public static bool TryEmit(OnnxModuleEmitter e, nn.Module module, OnnxValue x, string path, out OnnxValue output)
    {
        var type = module.GetType();
        string? outer = type.DeclaringType?.Name;
        output = (module, type.Name, outer) switch
        {
            (ResNet, _, _) => ResNetModel(e, module, x, path),
            (VGG, _, _) => VggModel(e, module, x, path),
            (MobileNetV2, _, _) => MobileNet(e, module, x, path, avgpoolChild: false),
            (MobileNetV3, _, _) => MobileNet(e, module, x, path, avgpoolChild: true),
            (_, "BasicBlock", "ResNet") => ResidualBlock(e, module, x, path, ["conv1", "bn1", "relu1", "conv2", "bn2"]),
            (_, "Bottleneck", "ResNet") => ResidualBlock(e, module, x, path, ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3"]),
            (_, "InvertedResidual", "MobileNetV2") => InvertedResidual(e, module, x, path, "conv"),
            (_, "InvertedResidual", "MobileNetV3") => InvertedResidual(e, module, x, path, "block"),
            (TorchSharp.torchvision.SqueezeExcitation, _, _) => SqueezeExcitation(e, module, x, path),
            _ => null!,
        };
        return output is not null;
    }

    /// <summary>ResNet: conv1, bn1, relu, maxpool, layer1..4, avgpool, flatten, fc.</summary>
    private static OnnxValue ResNetModel(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path) =>
        e.EmitSequence(Children(e, m, path, "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "fc"), x, path);

    /// <summary>VGG: features, avgpool, flatten(1), classifier.</summary>
    private static OnnxValue VggModel(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path)
    {
        var y = e.EmitSequence(Children(e, m, path, "features", "avgpool"), x, path);
        y = LayerEmitters.Flatten(e, 1, -1, y, OnnxModuleEmitter.Join(path, "flatten"));
        return e.Emit(e.Child(m, "classifier", path), y, OnnxModuleEmitter.Join(path, "classifier"));
    }

    /// <summary>MobileNetV2 (features, functional adaptive average pool to 1x1, flatten, classifier) and V3 (the same with an avgpool child).</summary>
    private static OnnxValue MobileNet(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path, bool avgpoolChild)
    {
        var y = e.Emit(e.Child(m, "features", path), x, OnnxModuleEmitter.Join(path, "features"));
        y = avgpoolChild
            ? e.Emit(e.Child(m, "avgpool", path), y, OnnxModuleEmitter.Join(path, "avgpool"))
            : LayerEmitters.AdaptiveAvgPool(e, [1, 1], y, OnnxModuleEmitter.Join(path, "avgpool"));
        y = LayerEmitters.Flatten(e, 1, -1, y, OnnxModuleEmitter.Join(path, "flatten"));
        return e.Emit(e.Child(m, "classifier", path), y, OnnxModuleEmitter.Join(path, "classifier"));
    }

    /// <summary>BasicBlock / Bottleneck: <c>relu(body(x) + (downsample ?? identity)(x))</c>.</summary>
    private static OnnxValue ResidualBlock(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path, string[] body)
    {
        var y = e.EmitSequence(Children(e, m, path, body), x, path);
        var identity = OnnxModuleEmitter.OptionalChild(m, "downsample") is { } downsample
            ? e.Emit(downsample, x, OnnxModuleEmitter.Join(path, "downsample"))
            : x;
        RequireSameShape(y, identity, path);
        string sum = e.Node("Add", path + ".add", [y.Name, identity.Name]);
        return y with { Name = e.Node("Relu", path + ".relu", [sum]) };
    }

    /// <summary>MobileNet inverted residual: <c>block(x) + x</c> when the block keeps the shape and stride is 1, else <c>block(x)</c>.</summary>
    private static OnnxValue InvertedResidual(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path, string bodyName)
    {
        var y = e.Emit(e.Child(m, bodyName, path), x, OnnxModuleEmitter.Join(path, bodyName));
        if (!PrivateFlag(m, "use_res_connect", path)) return y;
        RequireSameShape(y, x, path);
        return y with { Name = e.Node("Add", path + ".add", [y.Name, x.Name]) };
    }

    /// <summary>Squeeze-excitation: <c>x * scale_activation(fc2(activation(fc1(avgpool(x)))))</c>.</summary>
    private static OnnxValue SqueezeExcitation(OnnxModuleEmitter e, nn.Module m, OnnxValue x, string path)
    {
        var scale = e.EmitSequence(Children(e, m, path, "avgpool", "fc1", "activation", "fc2", "scale_activation"), x, path);
        return x with { Name = e.Node("Mul", path + ".scale", [x.Name, scale.Name]) };
    }

    private static IEnumerable<(string name, nn.Module module)> Children(OnnxModuleEmitter e, nn.Module m, string path, params string[] names) =>
        names.Select(n => (n, e.Child(m, n, path))).ToList();

    private static bool PrivateFlag(nn.Module m, string field, string path)
    {
        var info = m.GetType().GetField(field, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (info?.GetValue(m) is bool value) return value;
        throw new NotSupportedException(
            $"Module '{path}' ({m.GetType().FullName}) has no '{field}' flag; this TorchVision version's structure is not supported by the exporter.");
    }

    private static void RequireSameShape(OnnxValue a, OnnxValue b, string path)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new InvalidOperationException($"Residual block '{path}' adds values of different shapes: {a} and {b}.");
    }
}
