namespace Emotion.Torch.Backbones;

/// <summary>What a backbone factory knows about the model being built besides the <see cref="BackboneSpec"/>.</summary>
/// <param name="InputSize">The side of the square frames, in pixels.</param>
public sealed record BackboneBuildContext(int InputSize);
