using System.Collections.Immutable;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using Emotion.Torch.Weights;
using static TorchSharp.torch;

namespace Emotion.Torch.Import;

/// <summary>
/// Imports face-api.js's pretrained FaceExpressionNet (<c>face_expression_model-weights_manifest.json</c> and its
/// uint8-quantized shard, @vladmandic/face-api) into a per-frame <see cref="EmotionModel"/>: backbone
/// <see cref="FaceExpressionBackbone"/>, no recurrence, categorical task, classifier <c>fc</c>. face-api's seven outputs
/// (<see cref="FaceApiLabels"/>: neutral, happy, sad, angry, fearful, disgusted, surprised) are reordered to the
/// library's <see cref="EmotionCategories.Basic"/>, so the model's probabilities equal face-api's after that permutation.
/// </summary>
public static class FaceExpressionWeights
{
    /// <summary>face-api's output order (its <c>FACE_EXPRESSION_LABELS</c>) as library categories.</summary>
    public static ImmutableArray<EmotionCategory> FaceApiLabels { get; } =
    [
        EmotionCategory.Neutral, EmotionCategory.Happiness, EmotionCategory.Sadness, EmotionCategory.Anger,
        EmotionCategory.Fear, EmotionCategory.Disgust, EmotionCategory.Surprise,
    ];

    /// <summary>
    /// For each index <c>i</c> of <see cref="EmotionCategories.Basic"/>, the index of the same category in face-api's
    /// output (<c>[0, 3, 5, 4, 1, 2, 6]</c>): library logit <c>i</c> is face-api logit <c>FaceApiIndexOf[i]</c>.
    /// </summary>
    public static ImmutableArray<int> FaceApiIndexOf { get; } = [.. EmotionCategories.Basic.Select(c => FaceApiLabels.IndexOf(c))];

    /// <summary>
    /// The options of the per-frame model face-api's network becomes: <c>face_expression</c> backbone at 112 x 112,
    /// <see cref="HeadSpec.NoRecurrence"/>, categorical task over <see cref="EmotionCategories.Basic"/>, face-api's input
    /// normalisation (<see cref="FaceExpressionBackbone.DefaultNormalization"/>), sequences of one frame.
    /// </summary>
    public static EmotionModelOptions ModelOptions() =>
        EmotionModel.Create()
            .WithInput(frames: 1, size: FaceExpressionBackbone.FaceApiInputSize)
            .WithBackbone(BackboneSpec.FaceExpression())
            .WithRecurrentHead(HeadSpec.NoRecurrence())
            .ForTask(EmotionTask.Categorical)
            .ToOptions();

    /// <summary>
    /// The state dictionary of the whole per-frame model (<see cref="ModelOptions"/>): <c>backbone.dense{0..3}.*</c> with
    /// kernels converted to PyTorch layout, and <c>classifier.weight</c> <c>[7, 256]</c> / <c>classifier.bias</c> <c>[7]</c>
    /// with rows reordered to <see cref="EmotionCategories.Basic"/>. Tensors of the file that the mapping does not use
    /// are included under their TF.js names, so a strict <see cref="StateDictLoader.Apply"/> reports them. The caller
    /// owns the tensors.
    /// </summary>
    /// <param name="file">The loaded weights manifest.</param>
    /// <exception cref="KeyNotFoundException">The file lacks a tensor of FaceExpressionNet (the message names it).</exception>
    public static Dictionary<string, Tensor> FromTfjs(TfjsModelFile file) => Mapping(file).Build();

    /// <summary>The mapping of <see cref="FromTfjs"/>, before it is built (to inspect <see cref="TfjsStateDictBuilder.Unused"/>).</summary>
    /// <exception cref="KeyNotFoundException">The file lacks a tensor of FaceExpressionNet (the message names it).</exception>
    public static TfjsStateDictBuilder Mapping(TfjsModelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var map = new TfjsStateDictBuilder(file);
        for (int block = 0; block < 4; block++)
        {
            string tf = $"dense{block}", key = $"backbone.dense{block}";
            for (int conv = 0; conv < 4; conv++)
            {
                if (block == 0 && conv == 0)
                {
                    map.Conv2d($"{tf}/conv0/filters", $"{key}.conv0.weight").Copy($"{tf}/conv0/bias", $"{key}.conv0.bias");
                    continue;
                }
                map.Depthwise($"{tf}/conv{conv}/depthwise_filter", $"{key}.conv{conv}.depthwise.weight")
                    .Conv2d($"{tf}/conv{conv}/pointwise_filter", $"{key}.conv{conv}.pointwise.weight")
                    .Copy($"{tf}/conv{conv}/bias", $"{key}.conv{conv}.pointwise.bias");
            }
        }
        // Rows in EmotionCategories.Basic order (the conversions run inside the builder's dispose scope).
        map.Map("fc/weights", "classifier.weight", w => TfjsLayout.DenseToPyTorch(w, "fc/weights").index_select(0, LibraryOrder()));
        map.Map("fc/bias", "classifier.bias", b => b.index_select(0, LibraryOrder()));
        return map;
    }

    private static Tensor LibraryOrder() => tensor(FaceApiIndexOf.Select(i => (long)i).ToArray());

    /// <summary>Copies face-api's weights into <paramref name="model"/> (built from <see cref="ModelOptions"/> or the same architecture), strictly.</summary>
    /// <exception cref="WeightsMismatchException">The model's architecture differs or the file holds tensors the mapping does not use.</exception>
    public static WeightsLoadResult LoadInto(EmotionModel model, TfjsModelFile file)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Mapping(file).Apply(model);
    }

    /// <summary>
    /// Builds the per-frame model of <see cref="ModelOptions"/> on the CPU, loads face-api's weights from
    /// <paramref name="manifestPath"/> (the <c>face_expression_model-weights_manifest.json</c> next to its shard) and
    /// puts it in evaluation mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">The manifest or its shard does not exist.</exception>
    /// <exception cref="InvalidDataException">The files are not a readable TF.js manifest and shard.</exception>
    /// <exception cref="WeightsMismatchException">The files are not FaceExpressionNet's weights.</exception>
    public static EmotionModel CreateModel(string manifestPath)
    {
        var file = TfjsModelFile.Load(manifestPath);
        var model = EmotionModel.FromOptions(ModelOptions());
        try
        {
            LoadInto(model, file);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
