namespace Emotion.Torch.Weights;

/// <summary>What loading a weights file did.</summary>
/// <param name="Format">The format the file was read as.</param>
/// <param name="Loaded">Entries copied into the module.</param>
/// <param name="Missing">Module entries the file lacked (left unchanged; only possible when loading non-strictly).</param>
/// <param name="Ignored">File entries skipped on purpose (for example a pretrained network's classifier) or, non-strictly, unknown to the module.</param>
public sealed record WeightsLoadResult(WeightsFormat Format, IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Ignored);
