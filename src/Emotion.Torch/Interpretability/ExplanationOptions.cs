namespace Emotion.Torch.Interpretability;

/// <summary>How an <see cref="EmotionExplainer"/> explains.</summary>
public sealed record ExplanationOptions
{
    /// <summary>The default options: Grad-CAM at the backbone's default layer, same-frame targets, maps normalised to [0, 1].</summary>
    public static ExplanationOptions Default { get; } = new();

    /// <summary>The method (default <see cref="ExplanationMethods.GradCam"/>).</summary>
    public IExplanationMethod Method { get; init; } = ExplanationMethods.GradCam;

    /// <summary>
    /// The backbone layer (dotted path, see <c>Backbone.LayerNames</c>) whose activations layer methods use; null for the
    /// backbone's <c>DefaultTargetLayer</c>. Ignored by input methods (saliency).
    /// </summary>
    public string? Layer { get; init; }

    /// <summary>Which outputs a frame's map explains (default <see cref="SequenceTargetMode.SameFrame"/>).</summary>
    public SequenceTargetMode SequenceMode { get; init; } = SequenceTargetMode.SameFrame;

    /// <summary>
    /// Whether each frame's upsampled map is rescaled to [0, 1] as pytorch-grad-cam does, <c>(m - min) / (max - min + 1e-7)</c>
    /// (default true; a constant map becomes 0). False keeps the raw values (upsampled, otherwise as the method computed them).
    /// </summary>
    public bool Normalize { get; init; } = true;
}
