using Emotion.Core;

namespace Emotion.Visualization.Reports;

/// <summary>
/// A 2-D view of per-frame features (for example a PCA or t-SNE of the recurrent head's output) with each point's category and VA.
/// </summary>
/// <param name="Method">The method's name, used in titles and file names (for example <c>pca</c> or <c>tsne</c>).</param>
/// <param name="X">First coordinate per frame.</param>
/// <param name="Y">Second coordinate per frame.</param>
/// <param name="Frames">Category and VA per frame (labels or predictions), same length as the coordinates.</param>
public sealed record FeatureEmbedding(string Method, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<FrameLabel> Frames)
{
    /// <summary>Checks the lengths and the method name and returns this instance.</summary>
    /// <exception cref="ArgumentException">The lengths differ or the method name is not usable in a file name.</exception>
    public FeatureEmbedding Validate()
    {
        if (string.IsNullOrWhiteSpace(Method) || Method.IndexOfAny([.. Path.GetInvalidFileNameChars(), ' ']) >= 0)
            throw new ArgumentException($"Embedding method '{Method}' must be a non-empty name without spaces or path characters.", nameof(Method));
        ArgumentNullException.ThrowIfNull(X, nameof(X));
        ArgumentNullException.ThrowIfNull(Y, nameof(Y));
        ArgumentNullException.ThrowIfNull(Frames, nameof(Frames));
        if (X.Count != Y.Count || X.Count != Frames.Count)
            throw new ArgumentException($"Embedding '{Method}' has {X.Count} x, {Y.Count} y and {Frames.Count} frames; expected equal counts.", nameof(Frames));
        return this;
    }
}
