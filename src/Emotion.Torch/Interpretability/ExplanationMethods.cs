namespace Emotion.Torch.Interpretability;

/// <summary>The built-in explanation methods, by name.</summary>
public static class ExplanationMethods
{
    /// <summary>Grad-CAM.</summary>
    public static IExplanationMethod GradCam => Interpretability.GradCam.Instance;

    /// <summary>Grad-CAM++.</summary>
    public static IExplanationMethod GradCamPlusPlus => Interpretability.GradCamPlusPlus.Instance;

    /// <summary>HiResCAM: element-wise gradient times activation.</summary>
    public static IExplanationMethod HiResCam => Interpretability.HiResCam.Instance;

    /// <summary>Plain gradient saliency.</summary>
    public static IExplanationMethod Saliency => GradientSaliency.Instance;

    /// <summary>Every built-in method.</summary>
    public static IReadOnlyList<IExplanationMethod> All { get; } = [GradCam, GradCamPlusPlus, HiResCam, Saliency];

    /// <summary>Finds a built-in method by name (<c>gradcam</c>, <c>gradcam++</c>, <c>hirescam</c>, <c>saliency</c>; case-insensitive).</summary>
    /// <exception cref="FormatException">No built-in method has that name.</exception>
    public static IExplanationMethod Parse(string name)
    {
        foreach (var method in All)
            if (string.Equals(method.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase)) return method;
        if (string.Equals(name?.Trim(), "gradcampp", StringComparison.OrdinalIgnoreCase)) return GradCamPlusPlus;
        throw new FormatException($"'{name}' is not an explanation method; expected one of {string.Join(", ", All.Select(m => m.Name))}.");
    }
}
