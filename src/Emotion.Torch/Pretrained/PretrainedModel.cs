using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Torch.Backbones;
using static TorchSharp.torch;

namespace Emotion.Torch.Pretrained;

/// <summary>
/// A pretrained network in the <see cref="PretrainedModels"/> catalogue: where its weights come from (package, files,
/// SHA-256, licence), what input it expects (size, colour, scaling), the backbone it becomes and how its weights are
/// converted into the library's layout. See docs/models/ for a page per entry.
/// </summary>
public sealed record PretrainedModel
{
    /// <summary>The catalogue name, for example <c>face-expression</c> (case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>One sentence on what the network is.</summary>
    public required string Description { get; init; }

    /// <summary>The package the weights come from, for example <c>npm @vladmandic/face-api@1.7.15</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The licence of the weights as the package states it.</summary>
    public required string License { get; init; }

    /// <summary>The format the weights are stored in (reported by weight loading).</summary>
    public required Emotion.Torch.Weights.WeightsFormat Format { get; init; }

    /// <summary>The files to find in the asset cache or the given folder, each checked against its SHA-256.</summary>
    public required ImmutableArray<PretrainedFile> Files { get; init; }

    /// <summary>The backbone the weights fill when the network is used for transfer learning (<see cref="BackboneSpec.Pretrained"/>).</summary>
    public required BackboneSpec Backbone { get; init; }

    /// <summary>
    /// The backbone of the ready-to-use per-frame classifier (<see cref="PretrainedModels.CreateModel"/>), when it differs from
    /// <see cref="Backbone"/> (a network whose classifier is a convolution before the pooling keeps it in the backbone); null
    /// when the same.
    /// </summary>
    public BackboneSpec? ClassifierBackbone { get; init; }

    /// <summary>Whether the network has an expression classifier (it can be used as a ready-to-use per-frame model).</summary>
    public bool HasClassifier { get; init; }

    /// <summary>The side of the square input, in pixels.</summary>
    public required int InputSize { get; init; }

    /// <summary>The colour the network was trained on.</summary>
    public InputColor Color { get; init; } = InputColor.Rgb;

    /// <summary>The per-channel normalisation of [0, 1] RGB pixels that reproduces the original preprocessing.</summary>
    public required Normalization Normalization { get; init; }

    /// <summary>What the network was trained on.</summary>
    public required string TrainingData { get; init; }

    /// <summary>The accuracy its authors published (with the source), or a sentence saying that none was published.</summary>
    public required string PublishedAccuracy { get; init; }

    /// <summary>The documentation page (relative to the repository root).</summary>
    public string? DocsPage { get; init; }

    /// <summary>
    /// Reads the files (full paths, in the order of <see cref="Files"/>) and returns the weights as an
    /// <see cref="Models.EmotionModel"/> state dictionary: <c>backbone.*</c> entries and, with a classifier,
    /// <c>classifier.weight</c> / <c>classifier.bias</c> in the library's category order (<see cref="EmotionCategories.Basic"/>).
    /// The caller disposes the tensors.
    /// </summary>
    public required Func<IReadOnlyList<string>, Dictionary<string, Tensor>> ReadStateDict { get; init; }

    /// <summary>Where the weights come from, in one line (written into exported models' metadata).</summary>
    public string OriginLine => $"{Name}: {Source} ({License})";
}
