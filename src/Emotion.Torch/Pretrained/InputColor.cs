namespace Emotion.Torch.Pretrained;

/// <summary>The colour a pretrained network was trained on.</summary>
public enum InputColor
{
    /// <summary>RGB frames.</summary>
    Rgb,

    /// <summary>
    /// Grayscale frames. The library's imported networks take RGB frames and convert them inside the network (a fixed
    /// first layer), so every pipeline, exporter and predictor keeps feeding three channels.
    /// </summary>
    Grayscale,
}
