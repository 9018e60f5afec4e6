using System.Collections.Immutable;
using Emotion.Torch.Weights;

namespace Emotion.Torch.Backbones;

/// <summary>
/// A serialisable description of a backbone: the registry name plus its options. Part of
/// <c>EmotionModelOptions</c>; the <see cref="BackboneRegistry"/> turns it into a <see cref="Backbone"/>.
/// </summary>
public sealed record BackboneSpec
{
    /// <summary>The registry name (case-insensitive), for example <c>resnet18</c>; see <see cref="BackboneNames"/>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// An optional pretrained weights file loaded when the backbone is built (TorchSharp format, a PyTorch state dict or
    /// safetensors, with the backbone's own keys; a TorchVision classifier's entries are skipped).
    /// </summary>
    public string? WeightsPath { get; init; }

    /// <summary>
    /// The name of a <see cref="Pretrained.PretrainedModels"/> catalogue entry whose weights are loaded when the backbone is
    /// built (for example <c>resnet18-imagenet</c>); null for none. Set it with <see cref="Pretrained(string, string?)"/>.
    /// </summary>
    public string? PretrainedWeights { get; init; }

    /// <summary>The folder holding the <see cref="PretrainedWeights"/> files; null for the asset cache.</summary>
    public string? PretrainedDirectory { get; init; }

    /// <summary>
    /// How <see cref="WeightsPath"/> is matched to the backbone; null (default) is strict
    /// (<see cref="WeightsLoadOptions.Default"/>). The backbone's own ignored prefixes (a TorchVision classifier) are always added.
    /// What was loaded is in <see cref="Backbone.WeightsLoad"/>.
    /// </summary>
    public WeightsLoadOptions? WeightsLoading { get; init; }

    /// <summary>ResNet only: the input convention of the pretrained weights (default <see cref="Backbones.ResNetVariant.TorchVision"/>).</summary>
    public ResNetVariant ResNetVariant { get; init; } = ResNetVariant.TorchVision;

    /// <summary>Channel width multiplier (MobileNetV2 and the small CNN; must be 1 for the others).</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>
    /// VGG only: when set, the convolutional output is flattened and passed through a fully connected layer of this width
    /// with ReLU (and <see cref="Dropout"/>), as in AffWildNet (4096); when null, global average pooling gives 512 features.
    /// </summary>
    public int? FullyConnectedWidth { get; init; }

    /// <summary>VGG with <see cref="FullyConnectedWidth"/>: dropout after the fully connected layer.</summary>
    public double Dropout { get; init; }

    /// <summary>Free-form options: for custom backbones registered by users, and <c>top</c> of <c>mini_xception</c> (<see cref="MiniXceptionBackbone.TopParameter"/>).</summary>
    public ImmutableSortedDictionary<string, string> Parameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// The backbone of a pretrained catalogue entry with its weights, for example <c>Pretrained("resnet18-imagenet")</c>
    /// (see <see cref="Pretrained.PretrainedModels.Names"/>). The weights come from the asset cache filled by
    /// <c>./build.sh setup</c>, or from <paramref name="directory"/>; the builder also takes the entry's normalisation unless
    /// another is set.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not in the catalogue.</exception>
    public static BackboneSpec Pretrained(string name, string? directory = null) =>
        Emotion.Torch.Pretrained.PretrainedModels.Get(name).Backbone with { PretrainedWeights = name, PretrainedDirectory = directory };

    /// <summary>A backbone by registry name with default options.</summary>
    public static BackboneSpec Named(string name) => new() { Name = name };

    /// <summary>TorchVision ResNet-18 (512 features), optionally with pretrained weights.</summary>
    public static BackboneSpec ResNet18(string? weightsPath = null) => new() { Name = BackboneNames.ResNet18, WeightsPath = weightsPath };

    /// <summary>
    /// ResNet-18 in ML.NET's CNTK input convention (<see cref="Backbones.ResNetVariant.Cntk"/>: BGR 0-255 minus a mean image,
    /// frames in [0, 1]), for the weights converted from ML.NET's ResNet18.onnx (<c>CntkResNetWeights</c>).
    /// </summary>
    public static BackboneSpec ResNet18Cntk(string? weightsPath = null) =>
        new() { Name = BackboneNames.ResNet18, WeightsPath = weightsPath, ResNetVariant = ResNetVariant.Cntk };

    /// <summary>TorchVision ResNet-34 (512 features), optionally with pretrained weights.</summary>
    public static BackboneSpec ResNet34(string? weightsPath = null) => new() { Name = BackboneNames.ResNet34, WeightsPath = weightsPath };

    /// <summary>TorchVision ResNet-50 (2048 features), optionally with pretrained weights.</summary>
    public static BackboneSpec ResNet50(string? weightsPath = null) => new() { Name = BackboneNames.ResNet50, WeightsPath = weightsPath };

    /// <summary>TorchVision VGG-11 with batch norm; global average pooling (512 features) unless <paramref name="fullyConnectedWidth"/> is set.</summary>
    public static BackboneSpec Vgg11Bn(string? weightsPath = null, int? fullyConnectedWidth = null, double dropout = 0) =>
        new() { Name = BackboneNames.Vgg11Bn, WeightsPath = weightsPath, FullyConnectedWidth = fullyConnectedWidth, Dropout = dropout };

    /// <summary>TorchVision VGG-16 with batch norm; global average pooling (512 features) unless <paramref name="fullyConnectedWidth"/> is set.</summary>
    public static BackboneSpec Vgg16Bn(string? weightsPath = null, int? fullyConnectedWidth = null, double dropout = 0) =>
        new() { Name = BackboneNames.Vgg16Bn, WeightsPath = weightsPath, FullyConnectedWidth = fullyConnectedWidth, Dropout = dropout };

    /// <summary>TorchVision VGG-16 without batch norm (VGG-Face layout); global average pooling unless <paramref name="fullyConnectedWidth"/> is set.</summary>
    public static BackboneSpec Vgg16(string? weightsPath = null, int? fullyConnectedWidth = null, double dropout = 0) =>
        new() { Name = BackboneNames.Vgg16, WeightsPath = weightsPath, FullyConnectedWidth = fullyConnectedWidth, Dropout = dropout };

    /// <summary>TorchVision MobileNetV2 with a width multiplier (1280 features at width 1).</summary>
    public static BackboneSpec MobileNetV2(double widthMultiplier = 1.0, string? weightsPath = null) =>
        new() { Name = BackboneNames.MobileNetV2, WidthMultiplier = widthMultiplier, WeightsPath = weightsPath };

    /// <summary>TorchVision MobileNetV3-Small (576 features).</summary>
    public static BackboneSpec MobileNetV3Small(string? weightsPath = null) => new() { Name = BackboneNames.MobileNetV3Small, WeightsPath = weightsPath };

    /// <summary>TorchVision MobileNetV3-Large (960 features).</summary>
    public static BackboneSpec MobileNetV3Large(string? weightsPath = null) => new() { Name = BackboneNames.MobileNetV3Large, WeightsPath = weightsPath };

    /// <summary>The small fast CNN (4 stride-2 conv-bn-relu blocks of 16-32-64-128 channels times <paramref name="widthMultiplier"/>, global average pooling).</summary>
    public static BackboneSpec SmallCnn(double widthMultiplier = 1.0, string? weightsPath = null) =>
        new() { Name = BackboneNames.SmallCnn, WidthMultiplier = widthMultiplier, WeightsPath = weightsPath };

    /// <summary>
    /// face-api.js's FaceFeatureExtractor (256 features at 112 x 112); its pretrained TF.js weights load with
    /// <c>Emotion.Torch.Import.FaceExpressionWeights</c>.
    /// </summary>
    public static BackboneSpec FaceExpression(string? weightsPath = null) => new() { Name = BackboneNames.FaceExpression, WeightsPath = weightsPath };

    /// <summary>
    /// oarriaga's grayscale Xception-style FER-2013 network (<see cref="MiniXceptionBackbone"/>): 256 features, or with
    /// <paramref name="includeTop"/> its 7 class scores; the pretrained weights of @vladmandic/human load with
    /// <c>Emotion.Torch.Import.MiniXceptionWeights</c>.
    /// </summary>
    public static BackboneSpec MiniXception(bool includeTop = false, string? weightsPath = null)
    {
        var spec = new BackboneSpec { Name = BackboneNames.MiniXception, WeightsPath = weightsPath };
        return includeTop ? spec.WithParameter(MiniXceptionBackbone.TopParameter, "true") : spec;
    }

    /// <summary>Returns a copy with one free-form parameter set (for custom backbones).</summary>
    public BackboneSpec WithParameter(string key, string value) => this with { Parameters = Parameters.SetItem(key, value) };

    /// <summary>Value equality, comparing <see cref="Parameters"/> entry by entry.</summary>
    public bool Equals(BackboneSpec? other) =>
        other is not null
        && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
        && WeightsPath == other.WeightsPath
        && string.Equals(PretrainedWeights, other.PretrainedWeights, StringComparison.OrdinalIgnoreCase)
        && PretrainedDirectory == other.PretrainedDirectory
        && Equals(WeightsLoading, other.WeightsLoading)
        && ResNetVariant == other.ResNetVariant
        && WidthMultiplier.Equals(other.WidthMultiplier)
        && FullyConnectedWidth == other.FullyConnectedWidth
        && Dropout.Equals(other.Dropout)
        && Parameters.Count == other.Parameters.Count
        && Parameters.All(kv => other.Parameters.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name?.ToLowerInvariant(), WeightsPath, WidthMultiplier, FullyConnectedWidth, Dropout, Parameters.Count, WeightsLoading, ResNetVariant);
}
