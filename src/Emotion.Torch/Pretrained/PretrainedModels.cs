using System.Security.Cryptography;
using Emotion.Core;
using Emotion.Core.IO;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Pretrained;

/// <summary>
/// The catalogue of pretrained networks, by name (as timm's pretrained registry): where each one's weights come from,
/// what input it expects and how it becomes a library model. Weights are never shipped inside the packages:
/// <c>./build.sh setup</c> fetches them from their registries into the <see cref="AssetCache"/>, or the caller gives a
/// folder that holds the files. Every file is checked against its SHA-256 before use.
/// <list type="bullet">
/// <item><c>face-expression</c>: face-api.js's FaceExpressionNet (112 x 112 RGB, 7 categories), the default real-face model.</item>
/// <item><c>mini-xception-fer2013</c>: the Xception-style FER-2013 network of oarriaga/face_classification (64 x 64 grayscale, 7 categories).</item>
/// <item><c>resnet18-imagenet</c>: an ImageNet ResNet-18 (ML.NET's CNTK export), a backbone for transfer learning.</item>
/// </list>
/// </summary>
public static class PretrainedModels
{
    /// <summary>face-api.js's FaceExpressionNet.</summary>
    public const string FaceExpression = "face-expression";

    /// <summary>oarriaga's Xception-style FER-2013 classifier, as converted by human-models.</summary>
    public const string MiniXceptionFer2013 = "mini-xception-fer2013";

    /// <summary>ImageNet ResNet-18 from ML.NET's DnnImageFeaturizer package.</summary>
    public const string ResNet18ImageNet = "resnet18-imagenet";

    /// <summary>The default real-face model (chosen by evidence; docs/models/README.md says why).</summary>
    public const string DefaultRealFace = MiniXceptionFer2013;

    private static readonly Dictionary<string, PretrainedModel> entries = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock gate = new();

    static PretrainedModels()
    {
        foreach (var model in BuiltInPretrainedModels.All) entries.Add(model.Name, model);
    }

    /// <summary>The catalogue's names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (gate) return entries.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }

    /// <summary>Whether <paramref name="name"/> is in the catalogue.</summary>
    public static bool Contains(string? name)
    {
        lock (gate) return name is not null && entries.ContainsKey(name);
    }

    /// <summary>The catalogue entry <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">No entry has that name (the message lists the names).</exception>
    public static PretrainedModel Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (gate)
        {
            if (entries.TryGetValue(name, out var model)) return model;
        }
        throw new KeyNotFoundException($"Unknown pretrained model '{name}'. The catalogue has: {string.Join(", ", Names)}.");
    }

    /// <summary>Adds an entry (for example weights of your own in a shared folder).</summary>
    /// <exception cref="ArgumentException">The name is taken and <paramref name="replace"/> is false.</exception>
    public static void Register(PretrainedModel model, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(model.Name);
        lock (gate)
        {
            if (!replace && entries.ContainsKey(model.Name))
                throw new ArgumentException($"A pretrained model named '{model.Name}' is already registered; pass replace: true to replace it.", nameof(model));
            entries[model.Name] = model;
        }
    }

    /// <summary>
    /// The full paths of an entry's files in <paramref name="directory"/> (default: the <see cref="AssetCache"/>), each
    /// checked against its SHA-256.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message says which command fetches it).</exception>
    /// <exception cref="InvalidDataException">A file's SHA-256 differs from the catalogue's.</exception>
    public static IReadOnlyList<string> Locate(PretrainedModel model, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool cache = directory is null;
        directory ??= AssetCache.DefaultDirectory;
        var paths = new List<string>(model.Files.Length);
        foreach (var file in model.Files)
        {
            string path = Path.Combine(directory, file.FileName);
            if (!File.Exists(path))
                throw new FileNotFoundException(cache
                    ? $"The pretrained model '{model.Name}' needs '{file.FileName}' ({model.Source}, {file.PackagePath}), which is not in the asset cache {directory}. " +
                      $"Fetch it with {AssetCache.FetchCommand}, set {AssetCache.EnvironmentVariable} to the folder that holds it, or pass that folder."
                    : $"The pretrained model '{model.Name}' needs '{file.FileName}' ({model.Source}, {file.PackagePath}) in {directory}, and it is not there.",
                    path);
            string actual = Sha256Of(path);
            if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"'{path}' is not the file the pretrained model '{model.Name}' expects ({model.Source}, {file.PackagePath}): its SHA-256 is {actual}, expected {file.Sha256}. " +
                    $"Fetch it again with {AssetCache.FetchCommand}.");
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>
    /// Reads an entry's weights as an <see cref="EmotionModel"/> state dictionary (<c>backbone.*</c>, and <c>classifier.*</c>
    /// in the library's category order when the network has a classifier). The caller disposes the tensors.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not in the catalogue.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or is not the expected one.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string name, string? directory = null)
    {
        var model = Get(name);
        return model.ReadStateDict(Locate(model, directory));
    }

    /// <summary>
    /// The ready-to-use per-frame model of a network with a classifier: its backbone, no recurrence, its classifier
    /// (categories in the library's order) and valence/arousal estimated from the category probabilities
    /// (<see cref="ValenceArousalSource.CategoryExpectation"/>; the metadata and every prediction file say so). In evaluation
    /// mode; export it with the ONNX exporter to serve it with <c>EmotionPredictor</c>.
    /// </summary>
    /// <param name="name">A catalogue name with a classifier, for example <see cref="FaceExpression"/>.</param>
    /// <param name="directory">A folder holding the files (default: the asset cache).</param>
    /// <param name="device">Where to put the model (CPU when null).</param>
    /// <exception cref="KeyNotFoundException">The name is not in the catalogue.</exception>
    /// <exception cref="InvalidOperationException">The network has no expression classifier (it is a backbone only).</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public static EmotionModel CreateModel(string name, string? directory = null, Device? device = null)
    {
        var entry = Get(name);
        var options = ModelOptions(name);
        var files = Locate(entry, directory);
        var model = EmotionModel.FromOptions(options);
        try
        {
            var weights = entry.ReadStateDict(files);
            try
            {
                StateDictLoader.Apply(model, weights, string.Join(" + ", files), entry.LoadOptions, entry.Format);
            }
            finally
            {
                foreach (var t in weights.Values) t.Dispose();
            }
            model.eval();
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The architecture of an entry's ready-to-use per-frame model (<see cref="CreateModel"/>): its classifier backbone, no
    /// recurrence, the combined task over <see cref="EmotionCategories.Basic"/> with valence/arousal estimated from the
    /// categories, the entry's input size and normalisation, sequences of one frame, and the entry as <see cref="EmotionModelOptions.Origin"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The name is not in the catalogue.</exception>
    /// <exception cref="InvalidOperationException">The network has no expression classifier.</exception>
    public static EmotionModelOptions ModelOptions(string name)
    {
        var entry = Get(name);
        if (!entry.HasClassifier)
            throw new InvalidOperationException(
                $"The pretrained model '{entry.Name}' has no expression classifier ({entry.Description}); use it as a backbone for training: " +
                $"WithBackbone(BackboneSpec.Pretrained(\"{entry.Name}\")) or emotion train --pretrained {entry.Name}.");
        return new EmotionModelOptions
        {
            Backbone = entry.ClassifierBackbone ?? entry.Backbone,
            Head = HeadSpec.NoRecurrence(),
            Task = EmotionTask.Combined,
            FrameSize = entry.InputSize,
            SequenceLength = 1,
            Normalization = entry.Normalization,
            ValenceArousalSource = ValenceArousalSource.CategoryExpectation,
            Origin = entry.OriginLine,
        };
    }

    /// <summary>
    /// Loads an entry's backbone weights into <paramref name="backbone"/> (built from the entry's <see cref="PretrainedModel.Backbone"/>
    /// spec at any frame size it accepts), strictly: every backbone tensor must come from the file, and every file tensor
    /// must find its place except the classifier's and those under the backbone's <see cref="Backbone.IgnoredWeightPrefixes"/>.
    /// </summary>
    /// <exception cref="WeightsMismatchException">The weights do not fit the backbone (the message lists the differences).</exception>
    public static WeightsLoadResult LoadBackbone(Backbone backbone, string name, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        var entry = Get(name);
        var files = Locate(entry, directory);
        var weights = entry.ReadStateDict(files);
        try
        {
            const string prefix = "backbone.";
            var own = weights.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            var options = entry.LoadOptions with { IgnoredPrefixes = [.. entry.LoadOptions.IgnoredPrefixes, .. backbone.IgnoredWeightPrefixes] };
            return StateDictLoader.Apply(backbone, own, string.Join(" + ", files), options, entry.Format);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
