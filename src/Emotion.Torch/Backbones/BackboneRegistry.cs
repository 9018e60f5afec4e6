namespace Emotion.Torch.Backbones;

/// <summary>
/// Backbones by name, as timm's registry: a name (case-insensitive) maps to a factory that turns a
/// <see cref="BackboneSpec"/> into a <see cref="Backbone"/>. The built-ins (<see cref="BackboneNames"/>) are registered;
/// users add their own with <see cref="Register(string, Func{BackboneSpec, BackboneBuildContext, Backbone}, bool)"/>.
/// Thread-safe.
/// </summary>
public sealed class BackboneRegistry
{
    private readonly Dictionary<string, Func<BackboneSpec, BackboneBuildContext, Backbone>> factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();

    /// <summary>Creates a registry holding the built-in backbones.</summary>
    public BackboneRegistry() : this(includeBuiltIns: true) { }

    /// <summary>Creates a registry, with or without the built-in backbones.</summary>
    public BackboneRegistry(bool includeBuiltIns)
    {
        if (!includeBuiltIns) return;
        foreach (var depth in new[] { 18, 34, 50 })
            Register($"resnet{depth}", (s, c) => WithoutWidth(s, new ResNetBackbone(depth, c.InputSize, s.ResNetVariant)));
        foreach (var vgg in new[] { BackboneNames.Vgg11, BackboneNames.Vgg11Bn, BackboneNames.Vgg16, BackboneNames.Vgg16Bn })
            Register(vgg, (s, c) => WithoutWidth(s, new VggBackbone(vgg, c.InputSize, s.FullyConnectedWidth, s.Dropout)));
        foreach (var mobile in new[] { BackboneNames.MobileNetV2, BackboneNames.MobileNetV3Small, BackboneNames.MobileNetV3Large })
            Register(mobile, (s, c) => new MobileNetBackbone(mobile, c.InputSize, s.WidthMultiplier));
        Register(BackboneNames.SmallCnn, (s, c) => new SmallCnnBackbone(c.InputSize, s.WidthMultiplier));
        Register(BackboneNames.FaceExpression, (s, c) => WithoutWidth(s, new FaceExpressionBackbone(c.InputSize)));
        Register(BackboneNames.MiniXception, (s, c) => WithoutWidth(s, MiniXceptionBackbone.FromSpec(s, c.InputSize)));
    }

    /// <summary>The process-wide registry used when none is given (built-ins plus whatever the application registers).</summary>
    public static BackboneRegistry Default { get; } = new();

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate) return factories.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }

    /// <summary>Whether a name is registered.</summary>
    public bool Contains(string name)
    {
        lock (gate) return name is not null && factories.ContainsKey(name);
    }

    /// <summary>Registers a backbone factory that also receives the build context (the frame size).</summary>
    /// <param name="name">The name used in <see cref="BackboneSpec.Name"/>.</param>
    /// <param name="factory">Creates the backbone.</param>
    /// <param name="replace">Allows replacing an existing registration (otherwise a duplicate name throws).</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public BackboneRegistry Register(string name, Func<BackboneSpec, BackboneBuildContext, Backbone> factory, bool replace = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (gate)
        {
            if (!replace && factories.ContainsKey(name))
                throw new ArgumentException($"A backbone named '{name}' is already registered; pass replace: true to replace it.", nameof(name));
            factories[name] = factory;
        }
        return this;
    }

    /// <summary>Registers a backbone factory that needs only the spec.</summary>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public BackboneRegistry Register(string name, Func<BackboneSpec, Backbone> factory, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Register(name, (spec, _) => factory(spec), replace);
    }

    /// <summary>
    /// Creates the backbone a spec describes and, when <paramref name="loadPretrained"/> is true, loads its pretrained
    /// catalogue weights (<see cref="BackboneSpec.PretrainedWeights"/>) and then its <see cref="BackboneSpec.WeightsPath"/>, when set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not registered (the message lists the registered names).</exception>
    /// <exception cref="ArgumentException">The factory rejected the spec or the frame size.</exception>
    public Backbone Create(BackboneSpec spec, BackboneBuildContext context, bool loadPretrained = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        Func<BackboneSpec, BackboneBuildContext, Backbone>? factory;
        lock (gate) factories.TryGetValue(spec.Name ?? "", out factory);
        if (factory is null)
            throw new KeyNotFoundException(
                $"Unknown backbone '{spec.Name}'. Registered backbones: {string.Join(", ", Names)}. " +
                "Register your own with BackboneRegistry.Register(name, factory) (or services.AddEmotionBackbones(r => r.Register(...))).");
        if (spec.ResNetVariant != ResNetVariant.TorchVision && !spec.Name!.StartsWith("resnet", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Backbone '{spec.Name}' has no ResNet variant; use ResNetVariant = TorchVision (the {spec.ResNetVariant} variant is for resnet18/34/50).", nameof(spec));
        var backbone = factory(spec, context)
            ?? throw new InvalidOperationException($"The factory registered for backbone '{spec.Name}' returned null.");
        if (loadPretrained && (!string.IsNullOrEmpty(spec.WeightsPath) || !string.IsNullOrEmpty(spec.PretrainedWeights)))
        {
            try
            {
                if (!string.IsNullOrEmpty(spec.PretrainedWeights))
                    Pretrained.PretrainedModels.LoadBackbone(backbone, spec.PretrainedWeights, spec.PretrainedDirectory);
                if (!string.IsNullOrEmpty(spec.WeightsPath)) backbone.LoadWeights(spec.WeightsPath, spec.WeightsLoading ?? Weights.WeightsLoadOptions.Default);
            }
            catch
            {
                backbone.Dispose();
                throw;
            }
        }
        return backbone;
    }

    private static Backbone WithoutWidth(BackboneSpec spec, Backbone backbone)
    {
        if (spec.WidthMultiplier != 1.0)
        {
            backbone.Dispose();
            throw new ArgumentException($"Backbone '{spec.Name}' has no width multiplier; use WidthMultiplier = 1 (width is supported by mobilenet_v2 and small_cnn).", nameof(spec));
        }
        return backbone;
    }
}
