namespace Emotion.Synthetic;

/// <summary>The per-video appearance of a synthetic face: colours, placement, lighting and background.</summary>
/// <param name="Skin">Skin colour (RGB, 0..255).</param>
/// <param name="Brow">Brow colour.</param>
/// <param name="Iris">Iris colour.</param>
/// <param name="Lips">Lip colour.</param>
/// <param name="Background">Background base colour.</param>
/// <param name="BackgroundPattern">Amplitude of the background's stripe pattern (grey levels).</param>
/// <param name="PatternFrequency">Spatial frequency of the background stripes (cycles per frame).</param>
/// <param name="PatternAngle">Direction of the background stripes (radians).</param>
/// <param name="OffsetX">Face centre offset from 0.5 (fraction of the frame).</param>
/// <param name="OffsetY">Face centre offset from 0.52 (fraction of the frame).</param>
/// <param name="Scale">Face size factor (1 = nominal).</param>
/// <param name="Brightness">Global lighting factor.</param>
/// <param name="LightGradient">Left-to-right lighting gradient (fraction of brightness across the frame).</param>
/// <param name="NoiseLevel">Per-frame pixel noise amplitude (grey levels).</param>
/// <param name="Rest">Idiosyncratic resting expression offsets added to every frame.</param>
public readonly record struct FaceIdentity(
    (float R, float G, float B) Skin,
    (float R, float G, float B) Brow,
    (float R, float G, float B) Iris,
    (float R, float G, float B) Lips,
    (float R, float G, float B) Background,
    float BackgroundPattern,
    float PatternFrequency,
    float PatternAngle,
    float OffsetX,
    float OffsetY,
    float Scale,
    float Brightness,
    float LightGradient,
    float NoiseLevel,
    FaceParameters Rest);
