using Emotion.Preprocessing.Annotations;

namespace Emotion.Preprocessing.Datasets;

/// <summary>Where an Aff-Wild2-layout dataset lives and how to read it (see <see cref="AffWild2Layout"/>).</summary>
public sealed record AffWild2DatasetOptions
{
    /// <summary>The folder holding one frame folder per video (<c>cropped_aligned</c>).</summary>
    public required string FramesRoot { get; init; }

    /// <summary>The folder holding <c>EXPR_Set</c> and/or <c>VA_Set</c>.</summary>
    public required string AnnotationsRoot { get; init; }

    /// <summary>The split folder, e.g. <see cref="AffWild2Layout.TrainingSplit"/>.</summary>
    public string Split { get; init; } = AffWild2Layout.TrainingSplit;

    /// <summary>Strict or lenient reading; whether Other is kept.</summary>
    public AnnotationLoadOptions Annotations { get; init; } = AnnotationLoadOptions.Strict;

    /// <summary>Options for the standard layout under <paramref name="root"/> (<c>cropped_aligned</c> and <c>annotations</c>).</summary>
    public static AffWild2DatasetOptions ForRoot(string root, string split = AffWild2Layout.TrainingSplit, AnnotationLoadOptions? annotations = null) => new()
    {
        FramesRoot = AffWild2Layout.FramesRoot(root),
        AnnotationsRoot = AffWild2Layout.AnnotationsRoot(root),
        Split = split,
        Annotations = annotations ?? AnnotationLoadOptions.Strict,
    };
}
