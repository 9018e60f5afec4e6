using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Torch.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export.Emitters;

/// <summary>
/// Walks a TorchSharp module tree and writes the equivalent ONNX nodes (inference / eval-mode semantics) into an
/// <see cref="OnnxGraphBuilder"/>. Built in: <c>Sequential</c>, <c>Conv2d</c> (a following <c>BatchNorm2d</c> is folded
/// into its weights), <c>BatchNorm1d/2d</c>, <c>Linear</c>, ReLU / ReLU6 / Hardtanh / LeakyReLU / Hardswish /
/// Hardsigmoid / Sigmoid / Tanh / SiLU, <c>MaxPool2d</c>, the library's <see cref="SequentialBackbone"/> backbones, <c>AvgPool2d</c>, <c>AdaptiveAvgPool2d</c>, <c>Flatten</c>,
/// <c>ZeroPad2d</c> / <c>ConstantPad2d</c> (asymmetric pads), <c>Dropout</c> and <c>Identity</c> (skipped), the library's
/// <see cref="FaceDenseBlock"/> (face-api.js) and <see cref="MeanImageInput"/>, and TorchVision's ResNet (BasicBlock, Bottleneck), VGG, MobileNetV2,
/// MobileNetV3 (InvertedResidual, SqueezeExcitation). Custom emitters are consulted first.
/// </summary>
public sealed class OnnxModuleEmitter
{
    private readonly IReadOnlyList<IOnnxModuleEmitter> custom;
    private readonly Dictionary<string, string> constants = new(StringComparer.Ordinal);

    /// <summary>Creates an emitter writing into <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph to add nodes and initializers to.</param>
    /// <param name="customEmitters">Emitters for module types the library does not know, consulted first.</param>
    public OnnxModuleEmitter(OnnxGraphBuilder graph, IEnumerable<IOnnxModuleEmitter>? customEmitters = null)
    {
        Graph = graph ?? throw new ArgumentNullException(nameof(graph));
        custom = customEmitters?.ToArray() ?? [];
    }

    /// <summary>The graph being written.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Emits <paramref name="module"/>'s forward pass on <paramref name="input"/>.</summary>
    /// <param name="module">The module (its eval-mode behaviour is exported: dropout off, batch norm with running statistics).</param>
    /// <param name="input">The input value.</param>
    /// <param name="path">The module's dotted path, used in error messages and as a prefix of initializer names.</param>
    /// <exception cref="NotSupportedException">The module type (or one of its settings) has no ONNX equivalent here.</exception>
    public OnnxValue Emit(nn.Module module, OnnxValue input, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(input);
        foreach (var emitter in custom)
            if (emitter.CanEmit(module)) return emitter.Emit(module, input, path, this);
        return module switch
        {
            Sequential sequential => EmitSequence(sequential.named_children(), input, path),
            SequentialBackbone backbone when RunsChildrenInOrder(backbone) => EmitSequence(backbone.named_children(), input, path),
            Conv2d conv => LayerEmitters.Conv(this, conv, null, input, path),
            MeanImageInput meanImage => LayerEmitters.MeanImageInput(this, meanImage, input, path),
            BatchNorm norm => LayerEmitters.BatchNorm(this, norm, input, path),
            Linear linear => LayerEmitters.Linear(this, linear, input, path),
            Dropout or Dropout2d or Identity => input,
            MaxPool2d pool => LayerEmitters.MaxPool(this, pool, input, path),
            AvgPool2d pool => LayerEmitters.AvgPool(this, pool, input, path),
            AdaptiveAvgPool2d pool => LayerEmitters.AdaptiveAvgPool(this, pool.output_size, input, path),
            Flatten flatten => LayerEmitters.Flatten(this, flatten.start_dim, flatten.end_dim, input, path),
            ZeroPad2d or ConstantPad2d => LayerEmitters.Pad(this, (PadBase)module, input, path),
            FaceDenseBlock block => FaceDenseBlockEmitter.Emit(this, block, input, path),
            _ when LayerEmitters.TryActivation(this, module, input, path, out var activated) => activated,
            _ when TorchVisionEmitters.TryEmit(this, module, input, path, out var output) => output,
            _ when MiniXceptionEmitters.TryEmit(this, module, input, path, out var xception) => xception,
            _ => throw new NotSupportedException(
                $"Cannot export module '{path}' of type {module.GetType().FullName} to ONNX. Supported: Sequential, Conv2d, BatchNorm, " +
                "Linear, ReLU, ReLU6, Hardtanh, LeakyReLU, Hardswish, Hardsigmoid, Sigmoid, Tanh, SiLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, " +
                "Flatten, ZeroPad2d, ConstantPad2d, Dropout, Identity, FaceDenseBlock and TorchVision's ResNet, VGG, MobileNetV2/V3. Register an IOnnxModuleEmitter for other modules."),
        };
    }

    /// <summary>
    /// Emits modules one after the other (the body of a <c>Sequential</c>). A <c>Conv2d</c> directly followed by a
    /// <c>BatchNorm2d</c> becomes a single <c>Conv</c> with the normalisation folded into its weights and bias.
    /// </summary>
    public OnnxValue EmitSequence(IEnumerable<(string name, nn.Module module)> modules, OnnxValue input, string path)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var list = modules.ToList();
        var x = input;
        for (int i = 0; i < list.Count; i++)
        {
            var (name, module) = list[i];
            string childPath = Join(path, name);
            if (module is Conv2d conv && i + 1 < list.Count && list[i + 1].module is BatchNorm2d norm && !custom.Any(c => c.CanEmit(module)))
            {
                x = LayerEmitters.Conv(this, conv, (norm, Join(path, list[i + 1].name)), x, childPath);
                i++;
                continue;
            }
            x = Emit(module, x, childPath);
        }
        return x;
    }

    /// <summary>
    /// Whether a <see cref="SequentialBackbone"/> keeps the base forward (its steps, which are its children, in order);
    /// a subclass that overrides the forward needs its own <see cref="IOnnxModuleEmitter"/>.
    /// </summary>
    private static bool RunsChildrenInOrder(SequentialBackbone backbone) =>
        backbone.GetType().GetMethod(nameof(SequentialBackbone.forward), [typeof(Tensor)])?.DeclaringType == typeof(SequentialBackbone);

    /// <summary>Returns the child module <paramref name="name"/> of <paramref name="parent"/>.</summary>
    /// <exception cref="NotSupportedException">The module has no such child (an unexpected structure).</exception>
    public nn.Module Child(nn.Module parent, string name, string path)
    {
        ArgumentNullException.ThrowIfNull(parent);
        foreach (var (childName, child) in parent.named_children())
            if (childName == name) return child;
        throw new NotSupportedException(
            $"Module '{path}' ({parent.GetType().Name}) has no child '{name}'; its children are " +
            $"{string.Join(", ", parent.named_children().Select(c => c.name))}. The exporter does not know this structure.");
    }

    /// <summary>Returns the child module <paramref name="name"/> of <paramref name="parent"/>, or null.</summary>
    public static nn.Module? OptionalChild(nn.Module parent, string name)
    {
        ArgumentNullException.ThrowIfNull(parent);
        foreach (var (childName, child) in parent.named_children())
            if (childName == name) return child;
        return null;
    }

    /// <summary>Adds a node with one output named after <paramref name="hint"/> (made unique) and returns that name.</summary>
    public string Node(string opType, string hint, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Graph.AddNode(opType, inputs, Graph.FreshName(hint), attributes);

    /// <summary>A shared float32 scalar constant (one initializer per distinct value).</summary>
    public string Scalar(float value)
    {
        string key = "f:" + BitConverter.SingleToInt32Bits(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!constants.TryGetValue(key, out string? name))
        {
            name = Graph.AddInitializer(Graph.FreshName("const_f"), [value]);
            constants[key] = name;
        }
        return name;
    }

    /// <summary>A shared int64 vector constant (shapes, axes; one initializer per distinct content).</summary>
    public string Int64s(params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string key = "i:" + string.Join(",", values);
        if (!constants.TryGetValue(key, out string? name))
        {
            name = Graph.AddInt64Initializer(Graph.FreshName("const_i64"), values, values.Length);
            constants[key] = name;
        }
        return name;
    }

    /// <summary>Adds a float32 initializer named after <paramref name="hint"/> (made unique).</summary>
    public string Initializer(string hint, ReadOnlySpan<float> data, params ReadOnlySpan<long> dims) =>
        Graph.AddInitializer(Graph.FreshName(hint), data, dims);

    /// <summary>Joins a module path and a child name with a dot.</summary>
    public static string Join(string path, string name) => string.IsNullOrEmpty(path) ? name : $"{path}.{name}";
}
