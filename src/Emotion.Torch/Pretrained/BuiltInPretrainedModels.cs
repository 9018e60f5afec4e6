using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Weights;

namespace Emotion.Torch.Pretrained;

/// <summary>The catalogue's built-in entries (sources, hashes and licences as in assets/assets.tsv).</summary>
internal static class BuiltInPretrainedModels
{
    public static IReadOnlyList<PretrainedModel> All { get; } = [];
}
